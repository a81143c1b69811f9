package dev.nbce.gateway.prompt;

import dev.nbce.gateway.request.Role;
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
public record ChatMessage(Role role, String content, List<ContentPart> parts) {

    public ChatMessage {
        if (role == null) {
            throw new IllegalArgumentException("message role is required");
        }
        if ((content == null) == (parts == null)) {
            throw new IllegalArgumentException("message content is required: a string or a list of parts");
        }
        parts = parts == null ? null : List.copyOf(parts);
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

    /** A message whose content is a list of parts. */
    public static ChatMessage ofParts(Role role, List<ContentPart> parts) {
        return new ChatMessage(role, null, parts);
    }

    public boolean hasParts() {
        return parts != null;
    }

    /** The dict a Jinja template indexes ({@code message['role']}, {@code message.content}): the role as a string. */
    Map<String, Object> asTemplateValue() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("role", role.wireName());
        map.put("content", hasParts() ? ContentParts.of(role, parts) : content);
        return map;
    }
}
