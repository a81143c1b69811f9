package dev.nbce.gateway.request;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A function the model may call (OpenAI's {@code tools[i]} of type "function").
 *
 * @param name       1..64 letters, digits, '_' or '-'
 * @param parameters the JSON Schema of its arguments (an object schema); when the client gave none, an empty
 *                   parameter list: {@code {"type": "object", "properties": {}, "additionalProperties": false}}
 * @param definition the tool as the client sent it, which a chat template renders
 */
public record Tool(String name, String description, ObjectNode parameters, boolean strict, JsonNode definition) {
    public Tool {
        if (name == null || parameters == null || definition == null) {
            throw new IllegalArgumentException("a tool has a name, parameters and its definition");
        }
    }
}
