package dev.nbce.gateway.request;

import dev.nbce.common.error.ClientText;
import dev.nbce.common.error.InvalidRequestException;
import java.util.List;

/**
 * One turn of a request's conversation: a role and its content, given either as a string or as a list
 * of text parts ({@code [{"type": "text", "text": …}]}, as OpenAI clients send it). Exactly one of
 * {@code content} and {@code parts} is set.
 */
public record RequestMessage(Role role, String content, List<String> parts) {
    public RequestMessage {
        if (role == null) {
            throw new InvalidRequestException("messages",
                    "message role must be one of system, user, assistant, got nothing");
        }
        if ((content == null) == (parts == null)) {
            throw new InvalidRequestException("messages", "a message has a string content or a list of text parts");
        }
        parts = parts == null ? null : List.copyOf(parts);
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
