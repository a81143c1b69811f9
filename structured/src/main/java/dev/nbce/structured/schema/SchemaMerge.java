package dev.nbce.structured.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.structured.automaton.CompileException;
import dev.nbce.structured.grammar.JsonText;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The conjunction of two schemas without composition keywords, as one schema: what {@code allOf} means, written
 * out keyword by keyword. Object keywords are combined per property so that each part's
 * {@code additionalProperties} still applies to the keys that part does not declare.
 */
final class SchemaMerge {
    static final JsonNodeFactory F = JsonNodeFactory.instance;

    private SchemaMerge() {}

    /** Draft differences evened out: exclusive bounds as numbers, array-form items as prefixItems, const as enum, nullable as a type. */
    static ObjectNode normalize(ObjectNode s) {
        ObjectNode out = s.deepCopy();
        for (String[] pair : new String[][] {{"exclusiveMinimum", "minimum"}, {"exclusiveMaximum", "maximum"}}) {
            JsonNode ex = out.get(pair[0]);
            if (ex != null && ex.isBoolean()) {
                out.remove(pair[0]);
                if (ex.asBoolean() && out.has(pair[1])) {
                    out.set(pair[0], out.remove(pair[1]));
                }
            }
        }
        JsonNode items = out.get("items");
        if (items != null && items.isArray()) {
            out.set("prefixItems", items);
            out.remove("items");
            JsonNode more = out.remove("additionalItems");
            if (more != null) {
                out.set("items", more);
            }
        } else {
            out.remove("additionalItems"); // ignored without array-form items
        }
        if (out.has("const")) {
            JsonNode c = out.remove("const");
            ArrayNode e = F.arrayNode().add(c);
            out.set("enum", out.has("enum") ? intersectEnums(out.get("enum"), e) : e);
        }
        JsonNode nullable = out.remove("nullable");
        if (nullable != null && nullable.asBoolean() && out.has("type")) {
            ArrayNode types = typeList(out.get("type"));
            types.add("null");
            out.set("type", types);
            if (out.has("enum")) {
                ((ArrayNode) out.get("enum")).addNull();
            }
        }
        return out;
    }

    static JsonNode allOf(JsonNode a, JsonNode b) {
        if (isTrue(a)) {
            return b;
        }
        if (isTrue(b)) {
            return a;
        }
        if (a.isBoolean() || b.isBoolean()) {
            return BooleanNode.FALSE;
        }
        ObjectNode o = F.objectNode();
        o.putArray("allOf").add(a).add(b);
        return o;
    }

    static boolean isTrue(JsonNode s) {
        return s == null || (s.isBoolean() && s.asBoolean()) || (s.isObject() && s.isEmpty());
    }

    static ObjectNode merge(ObjectNode a, ObjectNode b, String path) {
        ObjectNode out = a.deepCopy();
        mergeObjectKeywords(a, b, out, path);
        Iterator<Map.Entry<String, JsonNode>> fields = b.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String k = f.getKey();
            JsonNode vb = f.getValue();
            JsonNode va = a.get(k);
            if (isObjectKeyword(k)) {
                continue;
            }
            if (va == null) {
                out.set(k, vb);
                continue;
            }
            switch (k) {
                case "type" -> out.set(k, intersectTypes(va, vb));
                case "enum" -> out.set(k, intersectEnums(va, vb));
                case "minimum", "exclusiveMinimum", "minLength", "minItems" -> out.set(k, max(va, vb));
                case "maximum", "exclusiveMaximum", "maxLength", "maxItems" -> out.set(k, min(va, vb));
                case "pattern" -> {
                    ArrayNode both = F.arrayNode();
                    addAll(both, va);
                    addAll(both, vb);
                    out.set(k, both);
                }
                case "format" -> {
                    if (!va.equals(vb)) {
                        throw new CompileException(path + "/format", "two different formats in one allOf are not supported");
                    }
                }
                case "multipleOf" -> out.set(k, multipleOf(va, vb, path));
                case "items" -> out.set(k, allOf(va, vb));
                case "prefixItems" -> out.set(k, prefixItems(va, vb));
                case "uniqueItems" -> out.put(k, va.asBoolean() || vb.asBoolean());
                default -> { } // annotations: the first part's stay
            }
        }
        return out;
    }

    private static boolean isObjectKeyword(String k) {
        return switch (k) {
            case "properties", "required", "additionalProperties", "patternProperties", "minProperties", "maxProperties",
                    "propertyNames" -> true;
            default -> false;
        };
    }

    private static void mergeObjectKeywords(ObjectNode a, ObjectNode b, ObjectNode out, String path) {
        boolean aPatterns = a.has("patternProperties");
        boolean bPatterns = b.has("patternProperties");
        if (aPatterns && bPatterns) {
            throw new CompileException(path + "/patternProperties", "patternProperties in two parts of an allOf are not supported");
        }
        JsonNode aExtra = a.has("additionalProperties") ? a.get("additionalProperties") : BooleanNode.TRUE;
        JsonNode bExtra = b.has("additionalProperties") ? b.get("additionalProperties") : BooleanNode.TRUE;
        if ((aPatterns && !isTrue(bExtra)) || (bPatterns && !isTrue(aExtra))) {
            throw new CompileException(path + "/patternProperties",
                    "patternProperties with additionalProperties in another part of an allOf are not supported");
        }
        ObjectNode props = F.objectNode();
        Set<String> names = new LinkedHashSet<>();
        a.path("properties").fieldNames().forEachRemaining(names::add);
        b.path("properties").fieldNames().forEachRemaining(names::add);
        for (String name : names) {
            JsonNode va = a.path("properties").has(name) ? a.get("properties").get(name) : aPatterns ? BooleanNode.TRUE : aExtra;
            JsonNode vb = b.path("properties").has(name) ? b.get("properties").get(name) : bPatterns ? BooleanNode.TRUE : bExtra;
            props.set(name, allOf(va, vb));
        }
        out.remove(List.of("properties", "additionalProperties", "required", "patternProperties"));
        if (!names.isEmpty()) {
            out.set("properties", props);
        }
        JsonNode extra = allOf(aExtra, bExtra);
        if (!isTrue(extra)) {
            out.set("additionalProperties", extra);
        }
        if (aPatterns || bPatterns) {
            out.set("patternProperties", (aPatterns ? a : b).get("patternProperties"));
        }
        Set<String> required = new LinkedHashSet<>();
        a.path("required").forEach(r -> required.add(r.asText()));
        b.path("required").forEach(r -> required.add(r.asText()));
        if (!required.isEmpty()) {
            ArrayNode r = out.putArray("required");
            required.forEach(r::add);
        }
        if (b.has("minProperties")) {
            out.set("minProperties", a.has("minProperties") ? max(a.get("minProperties"), b.get("minProperties")) : b.get("minProperties"));
        }
        if (b.has("maxProperties")) {
            out.set("maxProperties", a.has("maxProperties") ? min(a.get("maxProperties"), b.get("maxProperties")) : b.get("maxProperties"));
        }
        if (b.has("propertyNames")) {
            out.set("propertyNames", a.has("propertyNames") ? allOf(a.get("propertyNames"), b.get("propertyNames")) : b.get("propertyNames"));
        }
    }

    static ArrayNode typeList(JsonNode t) {
        ArrayNode out = F.arrayNode();
        if (t.isArray()) {
            t.forEach(out::add);
        } else {
            out.add(t);
        }
        return out;
    }

    private static JsonNode intersectTypes(JsonNode a, JsonNode b) {
        Set<String> as = new LinkedHashSet<>();
        typeList(a).forEach(t -> as.add(t.asText()));
        Set<String> bs = new LinkedHashSet<>();
        typeList(b).forEach(t -> bs.add(t.asText()));
        ArrayNode out = F.arrayNode();
        for (String t : as) {
            if (bs.contains(t)) {
                out.add(t);
            } else if (t.equals("number") && bs.contains("integer") || t.equals("integer") && bs.contains("number")) {
                out.add("integer");
            }
        }
        return out;
    }

    static ArrayNode intersectEnums(JsonNode a, JsonNode b) {
        Set<String> texts = new LinkedHashSet<>();
        b.forEach(v -> texts.add(JsonText.write(v)));
        ArrayNode out = F.arrayNode();
        a.forEach(v -> {
            if (texts.contains(JsonText.write(v))) {
                out.add(v);
            }
        });
        return out;
    }

    private static JsonNode max(JsonNode a, JsonNode b) {
        return a.decimalValue().compareTo(b.decimalValue()) >= 0 ? a : b;
    }

    private static JsonNode min(JsonNode a, JsonNode b) {
        return a.decimalValue().compareTo(b.decimalValue()) <= 0 ? a : b;
    }

    private static JsonNode multipleOf(JsonNode a, JsonNode b, String path) {
        BigDecimal x = a.decimalValue();
        BigDecimal y = b.decimalValue();
        if (x.remainder(y).signum() == 0) {
            return a;
        }
        if (y.remainder(x).signum() == 0) {
            return b;
        }
        throw new CompileException(path + "/multipleOf", "two multipleOf values where neither divides the other are not supported");
    }

    private static JsonNode prefixItems(JsonNode a, JsonNode b) {
        ArrayNode out = F.arrayNode();
        int n = Math.max(a.size(), b.size());
        for (int i = 0; i < n; i++) {
            JsonNode x = i < a.size() ? a.get(i) : BooleanNode.TRUE;
            JsonNode y = i < b.size() ? b.get(i) : BooleanNode.TRUE;
            out.add(allOf(x, y));
        }
        return out;
    }

    private static void addAll(ArrayNode to, JsonNode v) {
        if (v.isArray()) {
            v.forEach(to::add);
        } else {
            to.add(v);
        }
    }

    static List<String> names(JsonNode object) {
        List<String> out = new ArrayList<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
