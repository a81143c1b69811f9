package dev.nbce.structured;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * What the output must match, independent of any vocabulary. Its JSON form ({@link #toJson()}) travels on
 * the wire and keys the compile cache; the composite kinds build tool-call formats out of the plain ones
 * (a literal prefix, a JSON schema, a literal suffix, repeated for parallel calls).
 */
public sealed interface ConstraintSpec {

    ObjectMapper JSON = new ObjectMapper();

    /** A JSON value valid against {@code schema} (a JSON Schema document), written compactly. */
    record JsonSchema(JsonNode schema) implements ConstraintSpec {}

    /** Any JSON object (OpenAI's {@code json_object}). */
    record AnyJsonObject() implements ConstraintSpec {}

    /** Text the whole of which matches {@code pattern} (the regex dialect of docs/structured-output.md). */
    record Regex(String pattern) implements ConstraintSpec {}

    /** Exactly one of {@code options}. */
    record Choice(List<String> options) implements ConstraintSpec {
        public Choice {
            options = List.copyOf(options);
        }
    }

    /** Exactly {@code text}. */
    record Literal(String text) implements ConstraintSpec {}

    /** Each part in turn. */
    record Sequence(List<ConstraintSpec> parts) implements ConstraintSpec {
        public Sequence {
            parts = List.copyOf(parts);
        }
    }

    /** Any one of the options. */
    record AnyOf(List<ConstraintSpec> options) implements ConstraintSpec {
        public AnyOf {
            options = List.copyOf(options);
        }
    }

    /** {@code item} between {@code min} and {@code max} times, {@code separator} between two. */
    record Repeat(ConstraintSpec item, String separator, int min, int max) implements ConstraintSpec {
        public Repeat {
            if (min < 0 || max < Math.max(1, min)) {
                throw new IllegalArgumentException("repeat needs 0 <= min <= max and max >= 1, got " + min + ".." + max);
            }
        }
    }

    /** The spec as one compact JSON object, e.g. {@code {"type":"regex","pattern":"[0-9]+"}}. */
    default String toJson() {
        try {
            return JSON.writeValueAsString(toTree(this));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads what {@link #toJson()} wrote. */
    static ConstraintSpec fromJson(String json) throws ConstraintException {
        try {
            return fromTree(JSON.readTree(json), "");
        } catch (JsonProcessingException e) {
            throw new ConstraintException("", "the constraint is not valid JSON");
        }
    }

    private static JsonNode toTree(ConstraintSpec spec) {
        ObjectNode o = JSON.createObjectNode();
        if (spec instanceof JsonSchema s) {
            o.put("type", "json_schema").set("schema", s.schema());
        } else if (spec instanceof AnyJsonObject) {
            o.put("type", "json_object");
        } else if (spec instanceof Regex r) {
            o.put("type", "regex").put("pattern", r.pattern());
        } else if (spec instanceof Choice c) {
            ArrayNode options = o.put("type", "choice").putArray("options");
            c.options().forEach(options::add);
        } else if (spec instanceof Literal l) {
            o.put("type", "literal").put("text", l.text());
        } else if (spec instanceof Sequence s) {
            ArrayNode parts = o.put("type", "sequence").putArray("parts");
            s.parts().forEach(p -> parts.add(toTree(p)));
        } else if (spec instanceof AnyOf a) {
            ArrayNode options = o.put("type", "any_of").putArray("options");
            a.options().forEach(p -> options.add(toTree(p)));
        } else if (spec instanceof Repeat r) {
            o.put("type", "repeat").set("item", toTree(r.item()));
            o.put("separator", r.separator()).put("min", r.min()).put("max", r.max());
        }
        return o;
    }

    private static ConstraintSpec fromTree(JsonNode node, String path) throws ConstraintException {
        if (!node.isObject() || !node.path("type").isTextual()) {
            throw new ConstraintException(path, "a constraint must be an object with a \"type\"");
        }
        String type = node.get("type").asText();
        return switch (type) {
            case "json_schema" -> new JsonSchema(required(node, "schema", path));
            case "json_object" -> new AnyJsonObject();
            case "regex" -> new Regex(text(node, "pattern", path));
            case "choice" -> new Choice(texts(node, "options", path));
            case "literal" -> new Literal(text(node, "text", path));
            case "sequence" -> new Sequence(children(node, "parts", path));
            case "any_of" -> new AnyOf(children(node, "options", path));
            case "repeat" -> {
                int min = node.path("min").asInt(-1);
                int max = node.path("max").asInt(-1);
                if (min < 0 || max < Math.max(1, min)) {
                    throw new ConstraintException(path + "/min", "repeat needs 0 <= min <= max and max >= 1");
                }
                yield new Repeat(fromTree(required(node, "item", path), path + "/item"), text(node, "separator", path), min, max);
            }
            default -> throw new ConstraintException(path + "/type", "unknown constraint type \"" + type + "\"");
        };
    }

    private static JsonNode required(JsonNode node, String field, String path) throws ConstraintException {
        JsonNode value = node.get(field);
        if (value == null) {
            throw new ConstraintException(path + "/" + field, "missing \"" + field + "\"");
        }
        return value;
    }

    private static String text(JsonNode node, String field, String path) throws ConstraintException {
        JsonNode value = required(node, field, path);
        if (!value.isTextual()) {
            throw new ConstraintException(path + "/" + field, "\"" + field + "\" must be a string");
        }
        return value.asText();
    }

    private static List<String> texts(JsonNode node, String field, String path) throws ConstraintException {
        JsonNode value = required(node, field, path);
        List<String> out = new ArrayList<>();
        for (JsonNode v : value) {
            if (!v.isTextual()) {
                throw new ConstraintException(path + "/" + field, "\"" + field + "\" must hold strings");
            }
            out.add(v.asText());
        }
        if (!value.isArray() || out.isEmpty()) {
            throw new ConstraintException(path + "/" + field, "\"" + field + "\" must be a non-empty array of strings");
        }
        return out;
    }

    private static List<ConstraintSpec> children(JsonNode node, String field, String path) throws ConstraintException {
        JsonNode value = required(node, field, path);
        if (!value.isArray() || value.isEmpty()) {
            throw new ConstraintException(path + "/" + field, "\"" + field + "\" must be a non-empty array");
        }
        List<ConstraintSpec> out = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            out.add(fromTree(value.get(i), path + "/" + field + "/" + i));
        }
        return out;
    }
}
