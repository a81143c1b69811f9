package dev.nbce.gateway.prompt;

import java.util.LinkedHashMap;
import java.util.Map;

/** One turn of a conversation as chat templates see it: {@code {"role": ..., "content": ...}}. */
public record ChatMessage(String role, String content) {

    public ChatMessage {
        if (role == null || role.isBlank()) {
            throw new IllegalArgumentException("message role is required");
        }
        if (content == null) {
            throw new IllegalArgumentException("message content is required");
        }
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    /** The dict a Jinja template indexes ({@code message['role']}, {@code message.content}). */
    Map<String, Object> asTemplateValue() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("role", role);
        map.put("content", content);
        return map;
    }
}
