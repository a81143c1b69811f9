package dev.nbce.gateway.prompt;

import dev.nbce.gateway.request.RequestMessage;
import dev.nbce.gateway.request.Role;
import dev.nbce.gateway.request.ToolCall;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One turn of a conversation as chat templates see it: {@code {"role": ..., "content": ...}}, where the
 * content is a string or, as in OpenAI's and Hugging Face's message format, a list of text parts.
 * Exactly one of {@code content} and {@code parts} is set.
 *
 * <p>Parts reach the template as a list, never joined: a template that supports them (Gemma 3's) renders
 * them its own way; a template that uses the content as text refuses the conversation with a
 * {@link ChatTemplateException} (see {@link ContentParts}).
 */
public record ChatMessage(Role role, String content, List<ContentPart> parts, List<ToolCall> toolCalls,
                          String toolCallId) {

    public ChatMessage {
        if (role == null) {
            throw new IllegalArgumentException("message role is required");
        }
        if ((content == null) == (parts == null)) {
            throw new IllegalArgumentException("message content is required: a string or a list of parts");
        }
        parts = parts == null ? null : List.copyOf(parts);
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    public ChatMessage(Role role, String content, List<ContentPart> parts) {
        this(role, content, parts, List.of(), null);
    }

    public ChatMessage(Role role, String content) {
        this(role, content, null);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage(Role.USER, content);
    }

    public static ChatMessage system(String content) {
        return new ChatMessage(Role.SYSTEM, content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage(Role.ASSISTANT, content);
    }

    /**
     * A request's turn as the template sees it, its tool calls and tool call id kept.
     *
     * @param joinParts give a list of parts as one string (the parts joined by newlines)
     */
    public static ChatMessage of(RequestMessage m, boolean joinParts) {
        if (m.hasParts() && !joinParts) {
            return new ChatMessage(m.role(), null, m.parts().stream().map(ContentPart::text).toList(), m.toolCalls(),
                    m.toolCallId());
        }
        return new ChatMessage(m.role(), m.text(), null, m.toolCalls(), m.toolCallId());
    }

    /** A message whose content is a list of parts. */
    public static ChatMessage ofParts(Role role, List<ContentPart> parts) {
        return new ChatMessage(role, null, parts);
    }

    public boolean hasParts() {
        return parts != null;
    }

    /**
     * The dict a Jinja template indexes ({@code message['role']}, {@code message.content}): the role as a string;
     * an assistant's calls as {@code tool_calls: [{"id", "type": "function", "function": {"name", "arguments":
     * dict}}]} (present only when it made some, as templates test {@code 'tool_calls' in message}), a tool
     * turn's {@code tool_call_id}.
     */
    Map<String, Object> asTemplateValue() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("role", role.wireName());
        map.put("content", hasParts() ? ContentParts.of(role, parts) : content);
        if (!toolCalls.isEmpty()) {
            List<Map<String, Object>> calls = new ArrayList<>(toolCalls.size());
            for (ToolCall call : toolCalls) {
                Map<String, Object> function = new LinkedHashMap<>();
                function.put("name", call.name());
                function.put("arguments", TemplateValues.of(call.argumentsValue()));
                Map<String, Object> value = new LinkedHashMap<>();
                value.put("id", call.id());
                value.put("type", "function");
                value.put("function", function);
                calls.add(value);
            }
            map.put("tool_calls", calls);
        }
        if (toolCallId != null) {
            map.put("tool_call_id", toolCallId);
        }
        return map;
    }
}
