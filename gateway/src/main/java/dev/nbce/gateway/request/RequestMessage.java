package dev.nbce.gateway.request;

import dev.nbce.common.error.ClientText;
import dev.nbce.common.error.InvalidRequestException;
import java.util.List;

/**
 * One turn of a request's conversation: a role and its content, given either as a string or as a list
 * of text parts ({@code [{"type": "text", "text": …}]}, as OpenAI clients send it). Exactly one of
 * {@code content} and {@code parts} is set.
 *
 * @param toolCalls  the calls an assistant turn made (OpenAI chat); empty otherwise
 * @param toolCallId the call a {@link Role#TOOL} turn answers; null otherwise
 */
public record RequestMessage(Role role, String content, List<String> parts, List<ToolCall> toolCalls, String toolCallId) {
    public RequestMessage {
        if (role == null) {
            throw new InvalidRequestException("messages",
                    "message role must be one of system, user, assistant, got nothing");
        }
        if ((content == null) == (parts == null)) {
            throw new InvalidRequestException("messages", "a message has a string content or a list of text parts");
        }
        parts = parts == null ? null : List.copyOf(parts);
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        if (!toolCalls.isEmpty() && role != Role.ASSISTANT) {
            throw new InvalidRequestException("messages", "only an assistant message makes tool calls");
        }
        if (toolCallId != null && role != Role.TOOL) {
            throw new InvalidRequestException("messages", "only a tool message names the tool_call_id it answers");
        }
    }

    public RequestMessage(Role role, String content, List<String> parts) {
        this(role, content, parts, List.of(), null);
    }

    /** The same turn with another content (a string), its tool calls and tool call id kept. */
    public RequestMessage withContent(String text) {
        return new RequestMessage(role, text, null, toolCalls, toolCallId);
    }

    public static RequestMessage of(Role role, String content) {
        return new RequestMessage(role, content, null);
    }

    public boolean hasParts() {
        return parts != null;
    }

    /** The content as one string: the parts joined by newlines, as servers join text parts for string templates. */
    public String text() {
        return parts == null ? content : String.join("\n", parts);
    }
}
