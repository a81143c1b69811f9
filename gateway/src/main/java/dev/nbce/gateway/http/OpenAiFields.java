package dev.nbce.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.error.ClientText;
import dev.nbce.common.error.InvalidRequestException;
import dev.nbce.gateway.request.RequestParser;

/**
 * Strict reads of OpenAI request fields: a wrong type is a 400 naming the field, never coerced
 * ({@code "1"}, {@code true} and {@code 1.9} are not integers). OpenAI marks optional fields nullable,
 * so {@code null} reads as absent.
 */
final class OpenAiFields {
    private final JsonNode body;
    private final String prefix;

    OpenAiFields(JsonNode body, String prefix) {
        this.body = body;
        this.prefix = prefix;
    }

    /** The value, or null when absent or null. */
    JsonNode get(String name) {
        JsonNode value = body.get(name);
        return value == null || value.isNull() ? null : value;
    }

    boolean has(String name) {
        return get(name) != null;
    }

    String string(String name) {
        JsonNode value = get(name);
        if (value != null && !value.isTextual()) {
            throw wrongType(name, "a string", value);
        }
        return value == null ? null : value.asText();
    }

    Boolean bool(String name) {
        JsonNode value = get(name);
        if (value != null && !value.isBoolean()) {
            throw wrongType(name, "true or false", value);
        }
        return value == null ? null : value.booleanValue();
    }

    /** An integer within min..max (both within int), or null when absent. */
    Integer integer(String name, int min, int max) {
        Long value = whole(name, min, max);
        return value == null ? null : value.intValue();
    }

    /** A 64-bit integer within min..max, or null when absent. */
    Long whole(String name, long min, long max) {
        JsonNode value = get(name);
        if (value == null) {
            return null;
        }
        if (!value.isIntegralNumber()) {
            throw wrongType(name, "an integer", value);
        }
        if (!value.canConvertToLong() || value.longValue() < min || value.longValue() > max) {
            throw new InvalidRequestException(path(name), path(name) + " must be within " + min + ".." + max + ", got "
                    + ClientText.excerpt(value.asText(), 24));
        }
        return value.longValue();
    }

    /** A number (its range checked by the record that owns it), or null when absent. */
    Double number(String name) {
        JsonNode value = get(name);
        if (value == null) {
            return null;
        }
        if (!value.isNumber()) {
            throw wrongType(name, "a number", value);
        }
        return value.doubleValue();
    }

    /** A number within min..max, or null when absent. */
    Double number(String name, double min, double max) {
        Double v = number(name);
        if (v == null) {
            return null;
        }
        if (!(v >= min && v <= max)) {
            JsonNode value = get(name);
            throw new InvalidRequestException(path(name), path(name) + " must be within " + min + ".." + max + ", got "
                    + ClientText.excerpt(value.asText(), 24));
        }
        return v;
    }

    JsonNode object(String name) {
        JsonNode value = get(name);
        if (value != null && !value.isObject()) {
            throw wrongType(name, "an object", value);
        }
        return value;
    }

    JsonNode array(String name) {
        JsonNode value = get(name);
        if (value != null && !value.isArray()) {
            throw wrongType(name, "an array", value);
        }
        return value;
    }

    /** A field OpenAI defines whose only value this server honours is its default; anything else is refused by name. */
    InvalidRequestException unsupported(String name, String why) {
        return new InvalidRequestException(path(name), path(name) + " " + why);
    }

    String path(String name) {
        return prefix + name;
    }

    private InvalidRequestException wrongType(String name, String expected, JsonNode value) {
        return new InvalidRequestException(path(name), path(name) + " must be " + expected + ", got "
                + RequestParser.describe(value));
    }
}
