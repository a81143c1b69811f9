package dev.nbce.structured.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.structured.automaton.CompileException;
import dev.nbce.structured.automaton.Dfa;
import dev.nbce.structured.automaton.Encoding;
import dev.nbce.structured.grammar.JsonText;
import dev.nbce.structured.grammar.Node;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The object keywords of one plain schema to an object node. */
final class ObjectCompiler {
    private final SchemaCompiler compiler;
    private final ObjectNode s;
    private final String path;

    ObjectCompiler(SchemaCompiler compiler, ObjectNode s, String path) {
        this.compiler = compiler;
        this.s = s;
        this.path = path;
    }

    Node build() {
        JsonNode props = s.path("properties");
        if (!props.isMissingNode() && !props.isObject()) {
            throw new CompileException(path + "/properties", "properties must be an object");
        }
        Set<String> required = new LinkedHashSet<>();
        JsonNode req = s.path("required");
        if (!req.isMissingNode()) {
            if (!req.isArray()) {
                throw new CompileException(path + "/required", "required must be an array of strings");
            }
            req.forEach(r -> required.add(r.asText()));
        }
        JsonNode extraSchema = s.has("additionalProperties") ? s.get("additionalProperties") : BooleanNode.TRUE;
        List<String> patternTexts = SchemaMerge.names(s.path("patternProperties"));
        if (patternTexts.size() > SchemaCompiler.MAX_PATTERN_PROPERTIES) {
            throw new CompileException(path + "/patternProperties", "more than " + SchemaCompiler.MAX_PATTERN_PROPERTIES
                    + " patternProperties are not supported");
        }
        Dfa[] patterns = new Dfa[patternTexts.size()];
        for (int i = 0; i < patterns.length; i++) {
            patterns[i] = compiler.pattern(SchemaMerge.F.textNode(patternTexts.get(i)), path + "/patternProperties");
        }
        Dfa propertyNames = propertyNames();

        List<String> names = new ArrayList<>(SchemaMerge.names(props));
        for (String r : required) {
            if (!names.contains(r)) {
                names.add(r);
            }
        }
        List<Node> values = new ArrayList<>();
        List<Boolean> isRequired = new ArrayList<>();
        for (String name : names) {
            byte[] content = JsonText.stringContent(name).getBytes(StandardCharsets.UTF_8);
            JsonNode value = props.has(name) ? props.get(name) : null;
            boolean matchedPattern = false;
            for (int i = 0; i < patterns.length; i++) {
                if (patterns[i].matches(content)) {
                    JsonNode p = s.get("patternProperties").get(patternTexts.get(i));
                    value = value == null ? p : SchemaMerge.allOf(value, p);
                    matchedPattern = true;
                }
            }
            if (value == null) {
                value = matchedPattern ? BooleanNode.TRUE : extraSchema;
            }
            if (propertyNames != null && !propertyNames.matches(content)) {
                value = BooleanNode.FALSE;
            }
            values.add(compiler.compile(value, path + "/properties/" + escape(name)));
            isRequired.add(required.contains(name));
        }
        Node additional = SchemaMerge.isTrue(extraSchema) ? compiler.anyValue()
                : extraSchema.isBoolean() ? null : compiler.compile(extraSchema, path + "/additionalProperties");
        Node[] byPatterns = new Node[1 << patterns.length];
        for (int mask = 1; mask < byPatterns.length; mask++) {
            JsonNode value = BooleanNode.TRUE;
            for (int i = 0; i < patterns.length; i++) {
                if ((mask & (1 << i)) != 0) {
                    value = SchemaMerge.allOf(value, s.get("patternProperties").get(patternTexts.get(i)));
                }
            }
            byPatterns[mask] = compiler.compile(value, path + "/patternProperties");
        }
        int min = SchemaCompiler.count(s, "minProperties", 0, path);
        int max = SchemaCompiler.count(s, "maxProperties", Integer.MAX_VALUE, path);
        if (min > max) {
            return Node.NOTHING;
        }
        for (int j = 0; j < names.size(); j++) {
            if (isRequired.get(j) && values.get(j) == Node.NOTHING) {
                return Node.NOTHING; // a required property no value can satisfy
            }
        }
        return new dev.nbce.structured.grammar.ObjectNode(names, values, isRequired, additional, patterns,
                m -> byPatterns[m], propertyNames, min, max);
    }

    /** propertyNames as an automaton over key content: a plain string schema (pattern, enum, const, lengths, format). */
    private Dfa propertyNames() {
        JsonNode pn = s.get("propertyNames");
        if (pn == null || SchemaMerge.isTrue(pn)) {
            return null;
        }
        String at = path + "/propertyNames";
        if (pn.isBoolean()) {
            return Dfa.ofStrings(List.of()); // false: no key at all
        }
        ObjectNode n = SchemaMerge.normalize((ObjectNode) pn);
        for (String k : SchemaMerge.names(n)) {
            if (Keywords.ENFORCED.contains(k) && !Set.of("type", "pattern", "enum", "minLength", "maxLength", "format").contains(k)
                    || Keywords.REFUSED.contains(k)) {
                throw new CompileException(at + "/" + k, "\"" + k + "\" in propertyNames is not supported");
            }
        }
        Dfa content = null;
        if (n.has("pattern")) {
            for (JsonNode p : SchemaMerge.typeList(n.get("pattern"))) {
                Dfa d = compiler.pattern(p, at + "/pattern");
                content = content == null ? d : Dfa.intersect(content, d, compiler.budget(), at);
            }
        }
        if (n.has("enum")) {
            List<byte[]> texts = new ArrayList<>();
            n.get("enum").forEach(v -> {
                if (v.isTextual()) {
                    texts.add(JsonText.stringContent(v.asText()).getBytes(StandardCharsets.UTF_8));
                }
            });
            Dfa d = Dfa.ofStrings(texts);
            content = content == null ? d : Dfa.intersect(content, d, compiler.budget(), at);
        }
        int min = SchemaCompiler.count(n, "minLength", 0, at);
        int max = SchemaCompiler.count(n, "maxLength", Integer.MAX_VALUE, at);
        if (min > 0 || max != Integer.MAX_VALUE) {
            String length = "^[\\s\\S]{" + min + "," + (max == Integer.MAX_VALUE ? "" : max) + "}$";
            Dfa d = dev.nbce.structured.regex.RegexCompiler.search(length, Encoding.JSON_STRING, compiler.budget());
            content = content == null ? d : Dfa.intersect(content, d, compiler.budget(), at);
        }
        return content;
    }

    private static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }
}
