package dev.nbce.gateway.request;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.error.InvalidRequestException;

/**
 * One function call the assistant made: OpenAI's {@code {"id", "type": "function", "function": {"name",
 * "arguments"}}}, with the arguments kept as the JSON text of an object (as OpenAI sends them) and read
 * once into {@link #argumentsValue()} for chat templates, which take them as a mapping.
 *
 * @param id        the call's id, echoed by the tool message that answers it
 * @param name      the function's name
 * @param arguments the arguments, a JSON object as text
 */
public record ToolCall(String id, String name, String arguments, JsonNode argumentsValue) {
    public ToolCall {
        if (id == null || name == null || arguments == null || argumentsValue == null || !argumentsValue.isObject()) {
            throw new IllegalArgumentException("a tool call has an id, a name and an object of arguments");
        }
    }

    /**
     * A call whose arguments are parsed; a 400 naming {@code field} when they are not a JSON object.
     *
     * @param field where the arguments came from, e.g. "messages[2].tool_calls[0].function.arguments"
     */
    public static ToolCall of(String id, String name, String arguments, String field) {
        JsonNode value;
        try {
            value = Json.MAPPER.readTree(arguments);
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException(field, field + " must be a JSON object as a string; it does not parse: "
                    + e.getOriginalMessage());
        }
        if (value == null || !value.isObject()) {
            throw new InvalidRequestException(field, field + " must be a JSON object as a string, got "
                    + RequestParser.describe(value));
        }
        return new ToolCall(id, name, arguments, value);
    }
}
