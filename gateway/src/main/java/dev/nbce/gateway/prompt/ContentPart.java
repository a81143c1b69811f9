package dev.nbce.gateway.prompt;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One part of a message whose content is a list, {@code {"type": "text", "text": "..."}} as hub
 * templates (and OpenAI clients) write it. Only text parts exist here: the models served read text.
 */
public record ContentPart(String type, String text) {

    public static final String TEXT = "text";

    public ContentPart {
        if (!TEXT.equals(type)) {
            throw new IllegalArgumentException("content part type must be \"text\", got: " + type);
        }
        if (text == null) {
            throw new IllegalArgumentException("a text content part needs its text");
        }
    }

    public static ContentPart text(String text) {
        return new ContentPart(TEXT, text);
    }

    /** The dict a template indexes ({@code item['type']}, {@code item['text']}). */
    Map<String, Object> asTemplateValue() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("type", type);
        map.put("text", text);
        return map;
    }
}
