package dev.nbce.structured;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nbce.structured.vocab.TokenBytes;
import org.junit.jupiter.api.Test;

/** JSON Schema keywords, fed byte by byte: every valid text passes each mask and ends; invalid ones do not. */
class SchemaAcceptanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TokenBytes VOCAB = ByteVocabulary.withPieces();
    private final ConstraintCompiler compiler = new ConstraintCompiler(VOCAB, CompileLimits.DEFAULT);

    static boolean accepts(ConstraintCompiler compiler, ConstraintSpec spec, String text) throws Exception {
        ConstraintState state = compiler.compile(spec).start();
        long[] mask = new long[(compiler.vocabulary().size() + 63) / 64];
        for (int id : ByteVocabulary.bytes(text)) {
            state.fillAllowed(mask);
            boolean masked = (mask[id >>> 6] & (1L << id)) != 0;
            if (masked != state.allows(id)) {
                throw new AssertionError("mask and allows() disagree on byte " + id + " of " + text);
            }
            if (!masked) {
                return false;
            }
            state = state.advance(id);
        }
        return state.canEnd();
    }

    private boolean accepts(String schema, String text) throws Exception {
        return accepts(compiler, new ConstraintSpec.JsonSchema(JSON.readTree(schema)), text);
    }

    @Test
    void nestedObjectsWithRequiredAndOptionalProperties() throws Exception {
        String schema = """
                {"type":"object","properties":{"f":{"type":"object","properties":{"base":{"type":"integer"},
                "height":{"type":"integer"},"unit":{"type":"string"}},"required":["base","height"],
                "additionalProperties":false}},"required":["f"],"additionalProperties":false}""";
        assertTrue(accepts(schema, "{\"f\":{\"base\":10,\"height\":5,\"unit\":\"units\"}}"));
        assertTrue(accepts(schema, "{\"f\":{\"base\":10,\"height\":5}}"));
        assertFalse(accepts(schema, "{\"f\":{\"base\":10}}"));
        assertFalse(accepts(schema, "{\"f\":{\"base\":10,\"height\":5,\"other\":1}}"));
        assertTrue(accepts(schema, "{\"f\":{\"height\":5,\"base\":10}}"), "declared properties in any order");
        assertFalse(accepts(schema, "{\"f\":{\"height\":5,\"base\":10,\"height\":6}}"), "each at most once");
        assertFalse(accepts(schema, "{\"f\":{\"base\":1.5,\"height\":5}}"));
    }

    private void refused(String schema, String path, String words) {
        ConstraintException e = org.junit.jupiter.api.Assertions.assertThrows(ConstraintException.class,
                () -> compiler.compile(new ConstraintSpec.JsonSchema(JSON.readTree(schema))));
        org.junit.jupiter.api.Assertions.assertEquals(path, e.path());
        assertTrue(e.getMessage().contains(words), e.getMessage());
    }

    @Test
    void scalarsEnumsAndConst() throws Exception {
        assertTrue(accepts("{\"enum\":[\"a\",1,null,{\"k\":[true]}]}", "{\"k\":[true]}"));
        assertTrue(accepts("{\"enum\":[\"a\",1,null]}", "1"));
        assertFalse(accepts("{\"enum\":[\"a\",1,null]}", "2"));
        assertTrue(accepts("{\"const\":\"x\"}", "\"x\""));
        assertTrue(accepts("{\"enum\":[2.0]}", "2"), "2 and 2.0 are one number");
        assertTrue(accepts("{\"enum\":[2]}", "2.0"));
        assertFalse(accepts("{\"type\":\"string\",\"enum\":[\"a\",1]}", "1"), "enum values of another type are out");
        assertTrue(accepts("{\"type\":[\"string\",\"null\"]}", "null"));
        assertTrue(accepts("{\"type\":\"string\",\"nullable\":true}", "null"));
        assertFalse(accepts("{\"type\":\"boolean\"}", "\"true\""));
        assertTrue(accepts("true", "[1,{\"a\":\"b\"},null]"), "the true schema takes any value");
        assertFalse(accepts("{\"type\":\"string\"}", "\"unterminated"));
        assertTrue(accepts("{\"type\":\"string\"}", "\"say \\\"hi\\\"\""), "escaped quotes inside a string");
        assertTrue(accepts("{\"type\":\"object\"}", "{\"a\\\"b\":\"\\\\\"}"), "escapes in keys and a string ending in one");
    }

    @Test
    void stringLengthsCountCharactersAndEscapes() throws Exception {
        String schema = "{\"type\":\"string\",\"minLength\":2,\"maxLength\":3}";
        assertTrue(accepts(schema, "\"ab\""));
        assertTrue(accepts(schema, "\"é\\n✓\""), "three characters, one escaped");
        assertFalse(accepts(schema, "\"a\""));
        assertFalse(accepts(schema, "\"abcd\""));
        assertFalse(accepts("{\"type\":\"string\"}", "\"tab\there\""), "a raw control character is not JSON");
        assertFalse(accepts("{\"type\":\"string\"}", "\"\\u0041\""), "one spelling per character: A is written as A");
    }

    @Test
    void patternsSearchUnlessAnchoredAndFormatsAreChecked() throws Exception {
        assertTrue(accepts("{\"type\":\"string\",\"pattern\":\"[0-9]\"}", "\"ab3cd\""));
        assertFalse(accepts("{\"type\":\"string\",\"pattern\":\"^[0-9]+$\"}", "\"ab3\""));
        assertTrue(accepts("{\"type\":\"string\",\"format\":\"date\"}", "\"2024-02-29\""));
        assertFalse(accepts("{\"type\":\"string\",\"format\":\"date\"}", "\"2023-02-29\""), "not a leap year");
        assertFalse(accepts("{\"type\":\"string\",\"format\":\"date\"}", "\"2024-04-31\""));
        assertTrue(accepts("{\"type\":\"string\",\"format\":\"date-time\"}", "\"2024-01-02T03:04:05.6Z\""));
        assertTrue(accepts("{\"type\":\"string\",\"format\":\"uri\"}", "\"https://example.com/a?b=c\""));
        assertFalse(accepts("{\"type\":\"string\",\"format\":\"uri\"}", "\"not a uri\""));
        assertTrue(accepts("{\"type\":\"string\",\"format\":\"no-such-format\"}", "\"anything\""), "unknown formats annotate");
    }

    @Test
    void numbersKeepToTheirRangeExactly() throws Exception {
        String schema = "{\"type\":\"number\",\"minimum\":-1.5,\"exclusiveMaximum\":10}";
        assertTrue(accepts(schema, "-1.5"));
        assertTrue(accepts(schema, "9.999"));
        assertFalse(accepts(schema, "10"));
        assertFalse(accepts(schema, "-1.51"));
        assertFalse(accepts(schema, "100"));
        assertTrue(accepts("{\"type\":\"integer\",\"minimum\":1,\"maximum\":120}", "120"));
        assertFalse(accepts("{\"type\":\"integer\"}", "1.5"));
        assertTrue(accepts("{\"type\":\"integer\",\"multipleOf\":5}", "35"));
        assertFalse(accepts("{\"type\":\"integer\",\"multipleOf\":5}", "36"));
        assertTrue(accepts("{\"type\":\"number\",\"minimum\":0,\"exclusiveMinimum\":true}", "0.1"), "draft 4 booleans");
        assertFalse(accepts("{\"type\":\"number\",\"minimum\":0,\"exclusiveMinimum\":true}", "0"));
        assertTrue(accepts("{\"type\":\"number\"}", "1.5e-7"));
    }

    @Test
    void arraysCountTheirItemsAndFollowTupleForms() throws Exception {
        assertTrue(accepts("{\"type\":\"array\",\"items\":{\"type\":\"integer\"},\"minItems\":1,\"maxItems\":2}", "[1,2]"));
        assertFalse(accepts("{\"type\":\"array\",\"items\":{\"type\":\"integer\"},\"minItems\":1,\"maxItems\":2}", "[]"));
        assertFalse(accepts("{\"type\":\"array\",\"items\":{\"type\":\"integer\"},\"maxItems\":2}", "[1,2,3]"));
        String tuple = "{\"type\":\"array\",\"items\":[{\"type\":\"string\"},{\"type\":\"integer\"}],\"additionalItems\":false}";
        assertTrue(accepts(tuple, "[\"a\",1]"));
        assertFalse(accepts(tuple, "[\"a\",1,2]"));
        assertTrue(accepts("{\"prefixItems\":[{\"const\":1}],\"items\":{\"type\":\"string\"}}", "[1,\"x\",\"y\"]"));
        assertTrue(accepts("{\"type\":\"array\",\"uniqueItems\":true,\"maxItems\":1}", "[7]"));
    }

    @Test
    void objectsWithExtrasPatternsAndNames() throws Exception {
        String open = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}}}";
        assertTrue(accepts(open, "{\"x\":[1],\"a\":1,\"y\":\"z\"}"), "other keys anywhere when additionalProperties is absent");
        assertFalse(accepts(open, "{\"a\":\"1\"}"), "a declared name is never an extra key with any value");
        assertFalse(accepts(open, "{\"a\":1,\"a\":2}"));
        String patterns = "{\"type\":\"object\",\"patternProperties\":{\"^x-\":{\"type\":\"string\"}},\"additionalProperties\":false}";
        assertTrue(accepts(patterns, "{\"x-a\":\"b\"}"));
        assertFalse(accepts(patterns, "{\"x-a\":1}"));
        assertFalse(accepts(patterns, "{\"y\":\"b\"}"));
        String names = "{\"type\":\"object\",\"propertyNames\":{\"pattern\":\"^[a-z]+$\"},\"maxProperties\":2}";
        assertTrue(accepts(names, "{\"ab\":1,\"c\":2}"));
        assertFalse(accepts(names, "{\"Ab\":1}"));
        assertFalse(accepts(names, "{\"a\":1,\"b\":2,\"c\":3}"));
        assertFalse(accepts("{\"type\":\"object\",\"minProperties\":1}", "{}"));
    }

    @Test
    void compositionFlattensIntoExactAlternatives() throws Exception {
        String allOf = "{\"allOf\":[{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},\"required\":[\"a\"]},"
                + "{\"properties\":{\"b\":{\"type\":\"integer\"}},\"required\":[\"b\"]}]}";
        assertTrue(accepts(allOf, "{\"a\":\"x\",\"b\":1}"));
        assertFalse(accepts(allOf, "{\"a\":\"x\"}"));
        String closed = "{\"allOf\":[{\"properties\":{\"a\":{}},\"additionalProperties\":false},{\"properties\":{\"b\":{}}}]}";
        assertTrue(accepts(closed, "{\"a\":1}"));
        assertFalse(accepts(closed, "{\"a\":1,\"b\":2}"), "the first part's additionalProperties still forbids b");
        String oneOfRequired = "{\"type\":\"object\",\"properties\":{\"a\":{},\"b\":{}},\"oneOf\":[{\"required\":[\"a\"]},{\"required\":[\"b\"]}]}";
        assertTrue(accepts(oneOfRequired, "{\"a\":1}"));
        assertTrue(accepts(oneOfRequired, "{\"b\":1}"));
        assertFalse(accepts(oneOfRequired, "{\"a\":1,\"b\":2}"), "oneOf: both options matching is no match");
        assertTrue(accepts("{\"oneOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}", "3"));
        refused("{\"oneOf\":[{\"type\":\"string\"},{\"minLength\":2}]}", "/oneOf", "oneOf options");
        String recursive = "{\"$defs\":{\"n\":{\"type\":\"object\",\"properties\":{\"kids\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/n\"}}},"
                + "\"additionalProperties\":false}},\"$ref\":\"#/$defs/n\"}";
        assertTrue(accepts(recursive, "{\"kids\":[{\"kids\":[]},{}]}"));
        assertFalse(accepts(recursive, "{\"kids\":[{\"kid\":[]}]}"));
    }

    @Test
    void unsupportedKeywordsAreRefusedWithTheirPath() {
        refused("{\"type\":\"object\",\"properties\":{\"a\":{\"not\":{\"type\":\"string\"}}}}", "/properties/a/not", "\"not\"");
        refused("{\"if\":{},\"then\":{}}", "/if", "\"if\"");
        refused("{\"type\":\"array\",\"uniqueItems\":true}", "/uniqueItems", "uniqueItems");
        refused("{\"$ref\":\"https://example.com/s.json\"}", "/$ref", "local references");
        refused("{\"type\":\"string\",\"pattern\":\"(?=x)\"}", "/pattern", "lookaround");
        refused("{\"type\":7}", "/type", "type must be");
    }
}
