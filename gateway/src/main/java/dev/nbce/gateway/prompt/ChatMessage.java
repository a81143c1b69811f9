package dev.nbce.gateway.prompt;

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
public record ChatMessage(String role, String content, List<ContentPart> parts) {

    public ChatMessage {
        if (role == null || role.isBlank()) {
            throw new IllegalArgumentException("message role is required");
        }
        if ((content == null) == (parts == null)) {
            throw new IllegalArgumentException("message content is required: a string or a list of parts");
        }
        parts = parts == null ? null : List.copyOf(parts);
    }

    public ChatMessage(String role, String content) {
        this(role, content, null);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }

    /** A message whose content is a list of parts. */
    public static ChatMessage ofParts(String role, List<ContentPart> parts) {
        return new ChatMessage(role, null, parts);
    }

    public boolean hasParts() {
        return parts != null;
    }

    /** The dict a Jinja template indexes ({@code message['role']}, {@code message.content}). */
    Map<String, Object> asTemplateValue() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("role", role);
        map.put("content", hasParts() ? ContentParts.of(role, parts) : content);
        return map;
    }
}
