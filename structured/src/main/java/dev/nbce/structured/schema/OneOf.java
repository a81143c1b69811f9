package dev.nbce.structured.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.structured.automaton.CompileException;
import dev.nbce.structured.grammar.JsonText;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code oneOf}: exactly one option may match. Where no value can match two options (their types, enums,
 * or a property one requires and the other forbids or constrains apart, tell them apart) it is an anyOf.
 * Options that only require properties are made exclusive by writing out "and not the others". Any other
 * overlap is refused: accepting it as anyOf would let through values that match two options.
 */
final class OneOf {
    private static final int MAX_DEPTH = 3;
    private static final Set<String> ALL = Set.of("object", "array", "string", "number", "integer", "boolean", "null");

    private final SchemaDocument document;

    OneOf(SchemaDocument document) {
        this.document = document;
    }

    List<ObjectNode> exclusive(List<List<ObjectNode>> options, String path) {
        boolean overlap = false;
        for (int i = 0; i < options.size() && !overlap; i++) {
            for (int j = i + 1; j < options.size() && !overlap; j++) {
                for (ObjectNode a : options.get(i)) {
                    for (ObjectNode b : options.get(j)) {
                        overlap |= !disjoint(a, b, 0);
                    }
                }
            }
        }
        List<ObjectNode> out = new ArrayList<>();
        if (!overlap) {
            options.forEach(out::addAll);
            return out;
        }
        for (List<ObjectNode> option : options) {
            if (option.size() != 1 || !requiredOnly(option.get(0))) {
                throw new CompileException(path, "oneOf options that one value can match twice are not supported"
                        + " (anyOf is, when either may match)");
            }
        }
        for (int i = 0; i < options.size(); i++) {
            List<ObjectNode> alternatives = List.of(options.get(i).get(0));
            for (int j = 0; j < options.size(); j++) {
                if (j != i) {
                    alternatives = andNot(alternatives, options.get(j).get(0), path);
                }
            }
            out.addAll(alternatives);
        }
        return out;
    }

    /** {@code alternatives} and not {required: R}: some r of R absent. */
    private static List<ObjectNode> andNot(List<ObjectNode> alternatives, ObjectNode requiredOnly, String path) {
        List<ObjectNode> out = new ArrayList<>();
        for (ObjectNode a : alternatives) {
            for (JsonNode r : requiredOnly.path("required")) {
                ObjectNode absent = SchemaMerge.F.objectNode();
                absent.putObject("properties").set(r.asText(), BooleanNode.FALSE);
                out.add(SchemaMerge.merge(a, absent, path));
            }
        }
        if (out.size() > SchemaCompiler.MAX_ALTERNATIVES) {
            throw new CompileException(path, "the oneOf combines into more than " + SchemaCompiler.MAX_ALTERNATIVES + " alternatives");
        }
        return out;
    }

    private static boolean requiredOnly(ObjectNode s) {
        for (String k : SchemaMerge.names(s)) {
            boolean annotation = !Keywords.ENFORCED.contains(k) && !Keywords.REFUSED.contains(k);
            boolean objectType = k.equals("type") && s.get(k).asText().equals("object");
            if (!k.equals("required") && !objectType && !annotation) {
                return false;
            }
        }
        return s.path("required").isArray() && !s.get("required").isEmpty();
    }

    /** No value matches both: provable from types, enums or one property. */
    boolean disjoint(ObjectNode a, ObjectNode b, int depth) {
        Set<String> common = types(a);
        common.retainAll(types(b));
        if (common.isEmpty()) {
            return true;
        }
        if (a.has("enum") && b.has("enum")) {
            Set<String> texts = new HashSet<>();
            a.get("enum").forEach(v -> texts.add(JsonText.write(v)));
            boolean shared = false;
            for (JsonNode v : b.get("enum")) {
                shared |= texts.contains(JsonText.write(v));
            }
            return !shared;
        }
        if (!common.equals(Set.of("object")) || depth >= MAX_DEPTH) {
            return false;
        }
        for (JsonNode r : a.path("required")) {
            if (forbids(b, r.asText()) || apart(a, b, r.asText(), depth)) {
                return true;
            }
        }
        for (JsonNode r : b.path("required")) {
            if (forbids(a, r.asText())) {
                return true;
            }
        }
        return false;
    }

    /** Both require {@code p} and its schemas in the two are disjoint. */
    private boolean apart(ObjectNode a, ObjectNode b, String p, int depth) {
        if (!requires(b, p)) {
            return false;
        }
        ObjectNode pa = plain(a.path("properties").get(p));
        ObjectNode pb = plain(b.path("properties").get(p));
        return pa != null && pb != null && disjoint(pa, pb, depth + 1);
    }

    private static boolean requires(ObjectNode s, String p) {
        for (JsonNode r : s.path("required")) {
            if (r.asText().equals(p)) {
                return true;
            }
        }
        return false;
    }

    private static boolean forbids(ObjectNode s, String p) {
        JsonNode props = s.path("properties");
        if (props.has(p)) {
            return props.get(p).isBoolean() && !props.get(p).asBoolean();
        }
        JsonNode extra = s.get("additionalProperties");
        return extra != null && extra.isBoolean() && !extra.asBoolean() && !s.has("patternProperties");
    }

    /** A property's schema without composition, following a bare $ref; null when it has composition. */
    private ObjectNode plain(JsonNode s) {
        for (int hops = 0; s != null && s.isObject() && s.has("$ref") && hops < 8; hops++) {
            s = document.resolve(s.get("$ref").asText(), "");
        }
        if (s == null || !s.isObject()) {
            return null;
        }
        for (String k : Keywords.COMPOSITION) {
            if (s.has(k)) {
                return null;
            }
        }
        return SchemaMerge.normalize((ObjectNode) s);
    }

    /** The JSON types a plain schema admits (from its enum when it has one); integer stands for itself. */
    private static Set<String> types(ObjectNode s) {
        Set<String> out = new LinkedHashSet<>();
        if (s.has("enum")) {
            for (JsonNode v : s.get("enum")) {
                out.add(v.isObject() ? "object" : v.isArray() ? "array" : v.isTextual() ? "string"
                        : v.isNumber() ? "number" : v.isBoolean() ? "boolean" : "null");
            }
            return out;
        }
        if (!s.has("type")) {
            return new HashSet<>(ALL);
        }
        for (JsonNode t : SchemaMerge.typeList(s.get("type"))) {
            out.add(t.asText());
        }
        if (out.contains("number")) {
            out.add("integer");
        } else if (out.contains("integer")) {
            out.add("number"); // an integer is a number: "integer" and "number" overlap
        }
        return out;
    }
}
