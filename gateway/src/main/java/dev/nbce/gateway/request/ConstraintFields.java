package dev.nbce.gateway.request;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.error.ClientText;
import dev.nbce.common.error.InvalidRequestException;
import dev.nbce.structured.ConstraintSpec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The output constraint and the logit bias of a request, read alike in native, WebSocket and OpenAI requests
 * (docs/structured-output.md): OpenAI's {@code response_format} and {@code logit_bias}, vLLM's
 * {@code structured_outputs} and its older {@code guided_choice} / {@code guided_regex} / {@code guided_json}.
 * At most one of them may constrain the answer; a kind this server does not enforce (a grammar, a structural tag)
 * is refused by name, never ignored. The specs are checked here only for shape: the engine compiles them off the
 * event loop and names the schema path of what it refuses.
 */
public final class ConstraintFields {
    /** Every field that may carry a constraint, in the order they are read. */
    public static final Set<String> FIELDS = Set.of("response_format", "structured_outputs", "guided_choice",
            "guided_regex", "guided_json");
    private static final Set<String> JSON_SCHEMA_FIELDS = Set.of("name", "schema", "strict", "description");
    /** vLLM options that do not change what this server produces (its JSON has no whitespace anyway). */
    private static final Set<String> IGNORED_OPTIONS = Set.of("disable_fallback", "disable_any_whitespace");
    private static final Set<String> STRUCTURED_KINDS = Set.of("choice", "regex", "json", "json_object");
    private static final Set<String> STRUCTURED_REFUSED = Set.of("grammar", "structural_tag", "whitespace_pattern",
            "disable_additional_properties");

    /** A constraint and the request field it came from (named in its errors). */
    public record Found(String field, ConstraintSpec spec) {}

    private ConstraintFields() {}

    /** The request's one constraint, or null when it has none ({@code response_format} text counts as none). */
    public static Found read(JsonNode body) {
        List<Found> found = new ArrayList<>();
        add(found, responseFormat(body.get("response_format")));
        add(found, structuredOutputs(body.get("structured_outputs")));
        JsonNode choice = present(body, "guided_choice");
        if (choice != null) {
            found.add(new Found("guided_choice", choice("guided_choice", choice)));
        }
        JsonNode regex = present(body, "guided_regex");
        if (regex != null) {
            found.add(new Found("guided_regex", new ConstraintSpec.Regex(text("guided_regex", regex))));
        }
        JsonNode json = present(body, "guided_json");
        if (json != null) {
            found.add(new Found("guided_json", new ConstraintSpec.JsonSchema(schema("guided_json", json))));
        }
        if (found.size() > 1) {
            throw new InvalidRequestException(found.get(1).field(), "give one constraint, not several: "
                    + String.join(" and ", found.stream().map(Found::field).toList()) + " both constrain the answer");
        }
        return found.isEmpty() ? null : found.get(0);
    }

    /** {@code logit_bias}: {"token id": bias, …}; absent, null or {} = none. Ranges are the request's to check. */
    public static Map<Integer, Double> logitBias(JsonNode body) {
        JsonNode bias = present(body, "logit_bias");
        if (bias == null) {
            return Map.of();
        }
        if (!bias.isObject()) {
            throw new InvalidRequestException("logit_bias", "logit_bias must be an object of token id to bias, got "
                    + RequestParser.describe(bias));
        }
        Map<Integer, Double> out = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = bias.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int id;
            try {
                id = Integer.parseInt(e.getKey());
            } catch (NumberFormatException notAnId) {
                throw new InvalidRequestException("logit_bias", "logit_bias keys must be token ids, got '"
                        + ClientText.excerpt(e.getKey(), 24) + "'");
            }
            if (!e.getValue().isNumber()) {
                throw new InvalidRequestException("logit_bias", "logit_bias[" + id + "] must be a number, got "
                        + RequestParser.describe(e.getValue()));
            }
            out.put(id, e.getValue().doubleValue());
        }
        return out;
    }

    private static void add(List<Found> found, Found one) {
        if (one != null) {
            found.add(one);
        }
    }

    /** OpenAI's {@code {"type": "text" | "json_object" | "json_schema", "json_schema": {name, schema, strict}}}. */
    private static Found responseFormat(JsonNode format) {
        if (format == null || format.isNull()) {
            return null;
        }
        String field = "response_format";
        if (!format.isObject() || !format.path("type").isTextual()) {
            throw new InvalidRequestException(field, "response_format must be an object with a string \"type\", got "
                    + RequestParser.describe(format));
        }
        String type = format.get("type").asText();
        switch (type) {
            case "text" -> {
                only(format, Set.of("type"), field);
                return null;
            }
            case "json_object" -> {
                only(format, Set.of("type"), field);
                return new Found(field, new ConstraintSpec.AnyJsonObject());
            }
            case "json_schema" -> {
                only(format, Set.of("type", "json_schema"), field);
                JsonNode spec = format.get("json_schema");
                String at = field + ".json_schema";
                if (spec == null || !spec.isObject()) {
                    throw new InvalidRequestException(at, at + " must be an object {name, schema, strict}, got "
                            + RequestParser.describe(spec));
                }
                only(spec, JSON_SCHEMA_FIELDS, at);
                for (String name : new String[] {"name", "description"}) {
                    if (spec.has(name) && !spec.get(name).isTextual()) {
                        throw new InvalidRequestException(at + "." + name, at + "." + name + " must be a string, got "
                                + RequestParser.describe(spec.get(name)));
                    }
                }
                if (spec.has("strict") && !spec.get("strict").isBoolean() && !spec.get("strict").isNull()) {
                    throw new InvalidRequestException(at + ".strict", at + ".strict must be true or false, got "
                            + RequestParser.describe(spec.get("strict")));
                }
                JsonNode schema = spec.get("schema");
                if (schema == null || schema.isNull()) {
                    throw new InvalidRequestException(at + ".schema", at + ".schema is required: the JSON Schema the"
                            + " answer must validate against");
                }
                return new Found(at + ".schema", new ConstraintSpec.JsonSchema(schema(at + ".schema", schema)));
            }
            default -> throw new InvalidRequestException(field + ".type", "response_format.type must be one of text,"
                    + " json_object, json_schema, got '" + ClientText.excerpt(type, 40) + "'");
        }
    }

    /** vLLM's {@code {"choice": [...]} | {"regex": "..."} | {"json": schema} | {"json_object": true}}. */
    private static Found structuredOutputs(JsonNode outputs) {
        if (outputs == null || outputs.isNull()) {
            return null;
        }
        String field = "structured_outputs";
        if (!outputs.isObject()) {
            throw new InvalidRequestException(field, "structured_outputs must be an object, got "
                    + RequestParser.describe(outputs));
        }
        List<String> kinds = new ArrayList<>();
        for (Iterator<String> it = outputs.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            JsonNode value = outputs.get(name);
            if (STRUCTURED_REFUSED.contains(name)) {
                if (!value.isNull() && !(value.isBoolean() && !value.booleanValue())) {
                    throw new InvalidRequestException(field + "." + name, field + "." + name
                            + " is not supported: this server enforces choice, regex, json and json_object");
                }
            } else if (IGNORED_OPTIONS.contains(name)) {
                if (!value.isBoolean() && !value.isNull()) {
                    throw new InvalidRequestException(field + "." + name, field + "." + name + " must be true or false");
                }
            } else if (!STRUCTURED_KINDS.contains(name)) {
                throw new InvalidRequestException(field + "." + name, "unknown field \"" + field + "."
                        + ClientText.excerpt(name, 40) + "\"; expected one of choice, regex, json, json_object");
            } else if (!value.isNull() && !(name.equals("json_object") && value.isBoolean() && !value.booleanValue())) {
                kinds.add(name);
            }
        }
        if (kinds.size() != 1) {
            throw new InvalidRequestException(field, kinds.isEmpty()
                    ? "structured_outputs must give one of choice, regex, json, json_object"
                    : "structured_outputs gives " + String.join(" and ", kinds) + "; give one");
        }
        String kind = kinds.get(0);
        String at = field + "." + kind;
        JsonNode value = outputs.get(kind);
        ConstraintSpec spec = switch (kind) {
            case "choice" -> choice(at, value);
            case "regex" -> new ConstraintSpec.Regex(text(at, value));
            case "json" -> new ConstraintSpec.JsonSchema(schema(at, value));
            default -> {
                if (!value.isBoolean()) {
                    throw new InvalidRequestException(at, at + " must be true or false, got " + RequestParser.describe(value));
                }
                yield new ConstraintSpec.AnyJsonObject();
            }
        };
        return new Found(at, spec);
    }

    private static JsonNode present(JsonNode body, String name) {
        JsonNode value = body.get(name);
        return value == null || value.isNull() ? null : value;
    }

    private static void only(JsonNode node, Set<String> known, String at) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!known.contains(name)) {
                throw new InvalidRequestException(at + "." + name, "unknown field \"" + at + "." + ClientText.excerpt(name, 40)
                        + "\"; expected one of " + String.join(", ", known.stream().sorted().toList()));
            }
        }
    }

    private static ConstraintSpec.Choice choice(String at, JsonNode value) {
        if (!value.isArray() || value.isEmpty()) {
            throw new InvalidRequestException(at, at + " must be a non-empty array of strings, got "
                    + RequestParser.describe(value));
        }
        List<String> options = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            options.add(text(at + "[" + i + "]", value.get(i)));
        }
        return new ConstraintSpec.Choice(options);
    }

    private static String text(String at, JsonNode value) {
        if (!value.isTextual()) {
            throw new InvalidRequestException(at, at + " must be a string, got " + RequestParser.describe(value));
        }
        return value.asText();
    }

    /** A JSON Schema: an object or a boolean, or (vLLM) a string holding one. */
    private static JsonNode schema(String at, JsonNode value) {
        if (value.isTextual()) {
            try {
                value = Json.MAPPER.readTree(value.asText());
            } catch (Exception e) {
                throw new InvalidRequestException(at, at + " is a string but not a JSON Schema in JSON");
            }
        }
        if (value == null || !(value.isObject() || value.isBoolean())) {
            throw new InvalidRequestException(at, at + " must be a JSON Schema (an object or a boolean), got "
                    + RequestParser.describe(value));
        }
        return value;
    }
}
