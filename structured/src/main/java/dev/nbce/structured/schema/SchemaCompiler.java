package dev.nbce.structured.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.structured.automaton.Budget;
import dev.nbce.structured.automaton.CompileException;
import dev.nbce.structured.automaton.Dfa;
import dev.nbce.structured.automaton.Encoding;
import dev.nbce.structured.grammar.ArrayNode;
import dev.nbce.structured.grammar.DfaLexeme;
import dev.nbce.structured.grammar.JsonText;
import dev.nbce.structured.grammar.Node;
import dev.nbce.structured.grammar.NumberShape;
import dev.nbce.structured.grammar.StringShape;
import dev.nbce.structured.regex.RegexCompiler;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * JSON Schema to nodes. Composition ({@code allOf}, {@code anyOf}, {@code oneOf}, {@code $ref} with siblings) is
 * flattened into alternatives of plain schemas first ({@link SchemaMerge}); a bare {@code $ref} becomes a
 * reference node, which is what lets recursive schemas compile. Unsupported validation keywords are refused
 * with their path, never ignored.
 */
public final class SchemaCompiler {
    /** Alternatives one schema may flatten into (anyOf inside allOf multiplies them). */
    static final int MAX_ALTERNATIVES = 256;
    static final int MAX_PATTERN_PROPERTIES = 4;
    private static final List<String> ALL_TYPES = List.of("object", "array", "string", "number", "boolean", "null");

    private final SchemaDocument document;
    private final Budget budget;
    /** Drafts 4 to 7: "all other properties in a $ref object MUST be ignored"; later drafts apply them too. */
    private final boolean refSiblingsIgnored;
    private final Map<String, Node.Ref> refs = new HashMap<>();
    private Node.Ref anyValue;

    private SchemaCompiler(JsonNode root, Budget budget) {
        this.document = new SchemaDocument(root);
        this.budget = budget;
        this.refSiblingsIgnored = root.path("$schema").asText("").matches(".*draft-0[3-7].*");
    }

    public static Node compile(JsonNode schema, Budget budget) {
        return new SchemaCompiler(schema, budget).compile(schema, "");
    }

    /** Any JSON object (OpenAI's json_object). */
    public static Node anyObject(Budget budget) {
        ObjectNode schema = SchemaMerge.F.objectNode().put("type", "object");
        return compile(schema, budget);
    }

    Node compile(JsonNode schema, String path) {
        budget.checkTime();
        if (schema.isBoolean()) {
            return schema.asBoolean() ? anyValue() : Node.NOTHING;
        }
        if (!schema.isObject()) {
            throw new CompileException(path, "a schema must be an object or a boolean");
        }
        if (schema.has("$ref") && (refSiblingsIgnored || onlyRef(schema))) {
            return ref(schema.get("$ref").asText(), path);
        }
        List<ObjectNode> alternatives = alternatives(schema, path, new ArrayDeque<>());
        List<Node> nodes = new ArrayList<>();
        for (ObjectNode alt : alternatives) {
            nodes.add(plain(alt, path));
        }
        return nodes.size() == 1 ? nodes.get(0) : new Node.AnyOf(nodes);
    }

    /** A {@code $ref} with nothing beside it but annotations. */
    private static boolean onlyRef(JsonNode schema) {
        Iterator<String> names = schema.fieldNames();
        while (names.hasNext()) {
            String k = names.next();
            if (!k.equals("$ref") && (Keywords.ENFORCED.contains(k) || Keywords.REFUSED.contains(k))) {
                return false;
            }
        }
        return true;
    }

    private Node ref(String ref, String path) {
        if (!ref.isEmpty() && !ref.startsWith("#")) {
            throw new CompileException(path + "/$ref", "only local references (\"#/...\") are supported, got \"" + ref + "\"");
        }
        Node.Ref node = refs.get(ref);
        if (node == null) {
            node = new Node.Ref(ref);
            refs.put(ref, node);
            JsonNode target = document.resolve(ref, path);
            node.resolve(compile(target, ref.length() > 1 ? ref.substring(1) : ""));
        }
        return node;
    }

    /** The schema as a disjunction of plain schemas (no $ref, allOf, anyOf or oneOf at the top). */
    private List<ObjectNode> alternatives(JsonNode schema, String path, Deque<String> expanding) {
        budget.checkTime();
        if (schema.isBoolean()) {
            return schema.asBoolean() ? List.of(SchemaMerge.F.objectNode()) : List.of();
        }
        if (!schema.isObject()) {
            throw new CompileException(path, "a schema must be an object or a boolean");
        }
        if (schema.has("$ref") && refSiblingsIgnored) {
            String ref = schema.get("$ref").asText();
            if (expanding.contains(ref)) {
                throw new CompileException(path + "/$ref", "a reference that contains itself without an object or array between ("
                        + ref + ") is not supported");
            }
            expanding.push(ref);
            List<ObjectNode> target = alternatives(document.resolve(ref, path), path + "/$ref", expanding);
            expanding.pop();
            return target;
        }
        ObjectNode base = SchemaMerge.normalize((ObjectNode) schema);
        for (String k : Keywords.COMPOSITION) {
            base.remove(k);
        }
        List<ObjectNode> result = List.of(base);
        if (schema.has("$ref")) {
            String ref = schema.get("$ref").asText();
            if (expanding.contains(ref)) {
                throw new CompileException(path + "/$ref", "a reference that contains itself without an object or array between ("
                        + ref + ") is not supported");
            }
            expanding.push(ref);
            result = cross(result, alternatives(document.resolve(ref, path), path + "/$ref", expanding), path);
            expanding.pop();
        }
        JsonNode allOf = schema.get("allOf");
        if (allOf != null) {
            requireArray(allOf, path + "/allOf");
            for (int i = 0; i < allOf.size(); i++) {
                result = cross(result, alternatives(allOf.get(i), path + "/allOf/" + i, expanding), path + "/allOf/" + i);
            }
        }
        JsonNode anyOf = schema.get("anyOf");
        if (anyOf != null) {
            requireArray(anyOf, path + "/anyOf");
            List<ObjectNode> options = new ArrayList<>();
            for (int i = 0; i < anyOf.size(); i++) {
                options.addAll(alternatives(anyOf.get(i), path + "/anyOf/" + i, expanding));
            }
            result = cross(result, options, path + "/anyOf");
        }
        JsonNode oneOf = schema.get("oneOf");
        if (oneOf != null) {
            requireArray(oneOf, path + "/oneOf");
            List<List<ObjectNode>> options = new ArrayList<>();
            for (int i = 0; i < oneOf.size(); i++) {
                options.add(alternatives(oneOf.get(i), path + "/oneOf/" + i, expanding));
            }
            result = cross(result, new OneOf(document).exclusive(options, path + "/oneOf"), path + "/oneOf");
        }
        return result;
    }

    private List<ObjectNode> cross(List<ObjectNode> left, List<ObjectNode> right, String path) {
        if ((long) left.size() * right.size() > MAX_ALTERNATIVES) {
            throw new CompileException(path, "the schema combines into more than " + MAX_ALTERNATIVES + " alternatives");
        }
        List<ObjectNode> out = new ArrayList<>();
        for (ObjectNode a : left) {
            for (ObjectNode b : right) {
                out.add(a.isEmpty() ? b : b.isEmpty() ? a : SchemaMerge.merge(a, SchemaMerge.normalize(b), path));
            }
        }
        return out;
    }

    private static void requireArray(JsonNode v, String path) {
        if (!v.isArray() || v.isEmpty()) {
            throw new CompileException(path, "must be a non-empty array of schemas");
        }
    }

    /** A schema without composition keywords. */
    private Node plain(ObjectNode s, String path) {
        Iterator<String> names = s.fieldNames();
        while (names.hasNext()) {
            String k = names.next();
            if (Keywords.REFUSED.contains(k)) {
                throw new CompileException(path + "/" + k, "the keyword \"" + k + "\" is not supported");
            }
        }
        List<String> types = types(s, path);
        if (s.has("enum")) {
            return enumeration(s, types, path);
        }
        List<Node> nodes = new ArrayList<>();
        for (String type : types) {
            Node n = switch (type) {
                case "object" -> new ObjectCompiler(this, s, path).build();
                case "array" -> array(s, path);
                case "string" -> string(s, path);
                case "number", "integer" -> number(s, type.equals("integer") || isIntegerOnly(types), path);
                case "boolean" -> literal(List.of("true", "false"));
                case "null" -> literal(List.of("null"));
                default -> throw new CompileException(path + "/type", "unknown type \"" + type + "\"");
            };
            if (!(type.equals("number") && types.contains("integer"))) {
                nodes.add(n);
            }
        }
        return nodes.size() == 1 ? nodes.get(0) : new Node.AnyOf(nodes);
    }

    private static boolean isIntegerOnly(List<String> types) {
        return types.contains("integer") && !types.contains("number");
    }

    private static List<String> types(ObjectNode s, String path) {
        JsonNode t = s.get("type");
        if (t == null) {
            return ALL_TYPES;
        }
        List<String> out = new ArrayList<>();
        for (JsonNode v : SchemaMerge.typeList(t)) {
            if (!v.isTextual()) {
                throw new CompileException(path + "/type", "type must be a string or an array of strings");
            }
            if (!out.contains(v.asText())) {
                out.add(v.asText());
            }
        }
        if (out.contains("integer") && out.contains("number")) {
            out.remove("integer");
        }
        return out;
    }

    private Node enumeration(ObjectNode s, List<String> types, String path) {
        JsonNode values = s.get("enum");
        if (!values.isArray()) {
            throw new CompileException(path + "/enum", "enum must be an array");
        }
        List<String> texts = new ArrayList<>();
        for (JsonNode v : values) {
            if (types.contains(jsonType(v)) || (jsonType(v).equals("integer") && types.contains("number"))) {
                if (v.isNumber()) { // 2 and 2.0 are the same number to JSON Schema: both spellings match
                    String canonical = dev.nbce.structured.grammar.JsonNumbers.canonical(v.decimalValue());
                    texts.add(canonical);
                    if (jsonType(v).equals("integer") && !canonical.contains("e")) {
                        texts.add(canonical + ".0");
                    }
                } else {
                    texts.add(JsonText.write(v));
                }
            }
        }
        return texts.isEmpty() ? Node.NOTHING : literal(texts);
    }

    private static String jsonType(JsonNode v) {
        if (v.isObject()) {
            return "object";
        }
        if (v.isArray()) {
            return "array";
        }
        if (v.isTextual()) {
            return "string";
        }
        if (v.isNumber()) {
            return v.isIntegralNumber() || v.decimalValue().stripTrailingZeros().scale() <= 0 ? "integer" : "number";
        }
        return v.isBoolean() ? "boolean" : "null";
    }

    static Node literal(List<String> texts) {
        List<byte[]> bytes = new ArrayList<>();
        for (String t : texts) {
            bytes.add(t.getBytes(StandardCharsets.UTF_8));
        }
        return new Node.Terminal(DfaLexeme.start(Dfa.ofStrings(bytes)));
    }

    private Node array(ObjectNode s, String path) {
        List<Node> prefix = new ArrayList<>();
        JsonNode prefixItems = s.get("prefixItems");
        if (prefixItems != null) {
            for (int i = 0; i < prefixItems.size(); i++) {
                prefix.add(compile(prefixItems.get(i), path + "/prefixItems/" + i));
            }
        }
        JsonNode items = s.get("items");
        Node rest = items == null ? anyValue() : items.isBoolean() && !items.asBoolean() ? null : compile(items, path + "/items");
        int min = count(s, "minItems", 0, path);
        int max = count(s, "maxItems", Integer.MAX_VALUE, path);
        if (s.path("uniqueItems").asBoolean(false) && max > 1) {
            throw new CompileException(path + "/uniqueItems", "uniqueItems is not supported (except with maxItems <= 1)");
        }
        if (rest == null) {
            max = Math.min(max, prefix.size());
        }
        return min > max ? Node.NOTHING : new ArrayNode(prefix, rest, min, max);
    }

    private Node string(ObjectNode s, String path) {
        Dfa content = null;
        JsonNode pattern = s.get("pattern");
        if (pattern != null) {
            for (JsonNode p : SchemaMerge.typeList(pattern)) {
                content = and(content, pattern(p, path + "/pattern"), path + "/pattern");
            }
        }
        JsonNode format = s.get("format");
        if (format != null && format.isTextual() && StringFormats.PATTERNS.containsKey(format.asText())) {
            content = and(content, RegexCompiler.search(StringFormats.PATTERNS.get(format.asText()), Encoding.JSON_STRING, budget),
                    path + "/format");
        }
        int min = count(s, "minLength", 0, path);
        int max = count(s, "maxLength", Integer.MAX_VALUE, path);
        if (min > max || (content != null && content.isEmpty())) {
            return Node.NOTHING;
        }
        if (content == null && min == 0 && max == Integer.MAX_VALUE) {
            return new Node.Terminal(StringShape.ANY.start());
        }
        return new Node.Terminal(new StringShape(content == null ? StringShape.ANY_CONTENT : content, min, max).start());
    }

    Dfa pattern(JsonNode p, String path) {
        if (!p.isTextual()) {
            throw new CompileException(path, "pattern must be a string");
        }
        try {
            return RegexCompiler.search(p.asText(), Encoding.JSON_STRING, budget);
        } catch (CompileException e) {
            throw e.under(path);
        }
    }

    private Dfa and(Dfa a, Dfa b, String path) {
        return a == null ? b : Dfa.intersect(a, b, budget, "the patterns at " + path);
    }

    private Node number(ObjectNode s, boolean integer, String path) {
        BigDecimal[] low = bound(s, "minimum", "exclusiveMinimum", true, path);
        BigDecimal[] high = bound(s, "maximum", "exclusiveMaximum", false, path);
        BigDecimal multipleOf = null;
        if (s.has("multipleOf")) {
            JsonNode m = s.get("multipleOf");
            if (!m.isNumber() || m.decimalValue().signum() <= 0) {
                throw new CompileException(path + "/multipleOf", "multipleOf must be a number above 0");
            }
            multipleOf = m.decimalValue();
        }
        NumberShape shape = new NumberShape(integer, low == null ? null : low[0], low != null && low[1] != null,
                high == null ? null : high[0], high != null && high[1] != null, multipleOf);
        return shape.satisfiable() ? new Node.Terminal(shape.start()) : Node.NOTHING;
    }

    /** The tighter of an inclusive and an exclusive bound: {value, non-null when exclusive}. */
    private static BigDecimal[] bound(ObjectNode s, String inclusive, String exclusive, boolean lower, String path) {
        BigDecimal[] best = null;
        for (String k : new String[] {inclusive, exclusive}) {
            JsonNode v = s.get(k);
            if (v == null) {
                continue;
            }
            if (!v.isNumber()) {
                throw new CompileException(path + "/" + k, k + " must be a number");
            }
            BigDecimal value = v.decimalValue();
            boolean ex = k.equals(exclusive);
            if (best == null) {
                best = new BigDecimal[] {value, ex ? BigDecimal.ONE : null};
                continue;
            }
            int c = value.compareTo(best[0]);
            if ((lower && c > 0) || (!lower && c < 0) || (c == 0 && ex)) {
                best = new BigDecimal[] {value, ex ? BigDecimal.ONE : null};
            }
        }
        return best;
    }

    static int count(ObjectNode s, String key, int absent, String path) {
        JsonNode v = s.get(key);
        if (v == null) {
            return absent;
        }
        if (!v.isNumber() || v.decimalValue().signum() < 0 || v.decimalValue().stripTrailingZeros().scale() > 0) {
            throw new CompileException(path + "/" + key, key + " must be a non-negative integer");
        }
        return v.decimalValue().compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) >= 0 ? Integer.MAX_VALUE : v.intValue();
    }

    /** Any JSON value: built once per document, recursive through objects and arrays. */
    Node anyValue() {
        if (anyValue == null) {
            anyValue = new Node.Ref("(any value)");
            ObjectNode anyObject = SchemaMerge.F.objectNode().put("type", "object");
            Node object = new ObjectCompiler(this, anyObject, "").build();
            Node array = new ArrayNode(List.of(), anyValue, 0, Integer.MAX_VALUE);
            anyValue.resolve(new Node.AnyOf(List.of(object, array, new Node.Terminal(StringShape.ANY.start()),
                    new Node.Terminal(new NumberShape(false, null, false, null, false, null).start()),
                    literal(List.of("true", "false", "null")))));
        }
        return anyValue;
    }

    Budget budget() {
        return budget;
    }
}
