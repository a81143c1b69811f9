package dev.nbce.gateway.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.error.ClientText;
import dev.nbce.common.error.InvalidRequestException;
import dev.nbce.common.step.NbceParams;
import dev.nbce.common.step.Pooling;
import dev.nbce.common.step.Selection;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestParserTest {
    /** The example of docs/design.md, Request and result, its comments removed. */
    private static final String DESIGN_EXAMPLE = """
            { "contexts": ["window or document", "..."],
              "question": "…",
              "user_template": "{question}\\n\\n{context}",
              "max_new_tokens": 64, "temperature": 0, "top_p": 0.95, "top_k": 0, "seed": 7, "stop": ["\\n\\n"],
              "nbce": { "beta": 0.25, "eta": 0.1, "pooling": "min_entropy" } }
            """;

    /** Parses and expects a rejection; checks the message is one clean line and returns the exception. */
    private static InvalidRequestException rejected(String json) {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> RequestParser.parse(json), json);
        assertCleanForClients(e.getMessage());
        return e;
    }

    private static void assertClean(String message) {
        assertFalse(message.isBlank());
        assertFalse(message.contains("\n") || message.contains("\r"), message);
        for (String internal : List.of("Exception", "com.fasterxml", "jackson", "Source:", "`", "ObjectNode", "Feature")) {
            assertFalse(message.contains(internal), "message leaks \"" + internal + "\": " + message);
        }
    }

    private static String with(String fields) {
        return "{\"question\":\"q\"," + fields + "}";
    }

    @Test
    void acceptsTheDesignExample() {
        GenerationRequest r = RequestParser.parse(DESIGN_EXAMPLE);
        assertEquals(List.of("window or document", "..."), r.contexts());
        assertNull(r.document());
        assertEquals("…", r.question());
        assertEquals("{question}\n\n{context}", r.userTemplate());
        assertEquals(64, r.maxNewTokens());
        assertEquals(0.0, r.temperature());
        assertEquals(0.95, r.topP());
        assertEquals(0, r.topK());
        assertEquals(7L, r.seed());
        assertEquals(List.of("\n\n"), r.stop());
        assertEquals(new NbceParams(0.25, 0.1, Pooling.MIN_ENTROPY), r.nbce());
        assertFalse(r.stream());
    }

    @Test
    void fillsDefaultsForAMinimalRequest() {
        GenerationRequest r = RequestParser.parse("{\"question\":\"Who?\"}");
        assertEquals(List.of(), r.contexts());
        assertEquals(GenerationRequest.DEFAULT_USER_TEMPLATE, r.userTemplate());
        assertEquals(64, r.maxNewTokens());
        assertEquals(0.0, r.temperature());
        assertEquals(0.95, r.topP());
        assertEquals(0, r.topK());
        assertNull(r.seed());
        assertEquals(List.of(), r.stop());
        assertEquals(NbceParams.DEFAULT, r.nbce());
        assertFalse(r.stream());
    }

    @Test
    void readsEveryOtherField() {
        GenerationRequest r = RequestParser.parse(with("\"document\":\"long text\",\"stream\":true,\"top_k\":40,"
                + "\"temperature\":0.7,\"seed\":-9007199254740993,\"nbce\":{\"pooling\":\"average\"}"));
        assertEquals("long text", r.document());
        assertTrue(r.stream());
        assertEquals(40, r.topK());
        assertEquals(0.7, r.temperature());
        assertEquals(-9007199254740993L, r.seed());
        assertEquals(new NbceParams(0.25, 0.1, Pooling.AVERAGE), r.nbce());
    }

    @Test
    void acceptsUtf8BytesAndAByteOrderMark() {
        byte[] json = "\uFEFF{\"question\":\"Où est Zoë? 日本 🚀\"}".getBytes(StandardCharsets.UTF_8);
        assertEquals("Où est Zoë? 日本 🚀", RequestParser.parse(json).question());
    }

    @Test
    void parsesARequestEmbeddedInALargerMessage() {
        JsonNode frame = RequestParser.readTree("{\"type\":\"generate\",\"id\":\"a\",\"request\":{\"question\":\"q\",\"top_k\":3}}");
        assertEquals(3, RequestParser.parse(frame.get("request")).topK());
        assertEquals(null, rejectedNode(frame.path("missing")).field());
    }

    private static InvalidRequestException rejectedNode(JsonNode node) {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> RequestParser.parse(node));
        assertCleanForClients(e.getMessage());
        return e;
    }

    @Test
    void rejectsInvalidUtf8() {
        byte[] bad = {'{', '"', 'q', 'u', 'e', 's', 't', 'i', 'o', 'n', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> RequestParser.parse(bad));
        assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
        byte[] surrogate = {'{', '"', 'q', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'}; // CESU surrogate
        assertThrows(InvalidRequestException.class, () -> RequestParser.parse(surrogate));
    }

    @Test
    void rejectsMalformedJson() {
        for (String bad : List.of("{", "{\"question\":", "[1,", "tru", "{\"question\" \"q\"}", "{'question':'q'}",
                "{\"question\":\"q\"}}", "{\"question\":\"q\"} trailing", "{\"question\":NaN}", "{\"question\":\"a\nb\"}")) {
            InvalidRequestException e = rejected(bad);
            assertTrue(e.getMessage().startsWith("malformed JSON"), e.getMessage());
            assertNull(e.field());
        }
        assertTrue(rejected("{\n  \"question\": }").getMessage().contains("line 2"), "says where");
    }

    @Test
    void rejectsASecondJsonValueInItsOwnWords() {
        for (String two : List.of("{\"a\":1}{\"b\":2}", "{\"question\":\"q\"} {\"question\":\"q\"}", "{\"question\":\"q\"}\n[]",
                "{\"question\":\"q\"}7", "{\"question\":\"q\"}\"s\"", "{\"question\":\"q\"}null")) {
            InvalidRequestException e = rejected(two);
            assertTrue(e.getMessage().startsWith("malformed JSON at line "), e.getMessage());
            assertTrue(e.getMessage().endsWith("a second JSON value follows the first; send exactly one JSON object"),
                    e.getMessage());
            assertNull(e.field());
        }
        assertEquals("malformed JSON at line 1, column 8: a second JSON value follows the first; send exactly one JSON object",
                rejected("{\"a\":1}{\"b\":2}").getMessage());
        assertEquals("q", RequestParser.parse("{\"question\":\"q\"} \n\t ").question(), "trailing blanks are no value");
    }

    @Test
    void rejectsDuplicateFields() {
        InvalidRequestException e = rejected("{\"question\":\"q\",\"question\":\"again\"}");
        assertTrue(e.getMessage().contains("Duplicate field 'question'"), e.getMessage());
    }

    @Test
    void rejectsEmptyBodiesAndNonObjects() {
        for (String bad : List.of("", "   ", "null", "[]", "123", "\"text\"", "true")) {
            assertNull(rejected(bad).field(), bad);
        }
    }

    @Test
    void rejectsNestingDeeperThan32() {
        String deep = "[".repeat(33) + "]".repeat(33);
        InvalidRequestException e = rejected(with("\"stop\":" + deep));
        assertTrue(e.getMessage().contains("nesting deeper than 32"), e.getMessage());
        String shallow = "[".repeat(30) + "]".repeat(30); // with the request object: 31 levels, allowed
        assertEquals("stop", rejected(with("\"stop\":" + shallow)).field(), "parsed, then refused as a type error");
    }

    @Test
    void rejectsUnknownFieldsByName() {
        InvalidRequestException top = rejected(with("\"max_tokens\":5"));
        assertEquals("max_tokens", top.field());
        assertTrue(top.getMessage().contains("\"max_tokens\""), top.getMessage());
        InvalidRequestException nested = rejected(with("\"nbce\":{\"gamma\":1}"));
        assertEquals("nbce.gamma", nested.field());
        assertTrue(nested.getMessage().contains("nbce.gamma"), nested.getMessage());
        InvalidRequestException weird = rejected(with("\"bad\\nname\":1"));
        assertTrue(weird.getMessage().contains("bad\\u000aname"), "control characters are escaped: " + weird.getMessage());
    }

    @Test
    void parsesAWindowSelection() {
        assertNull(RequestParser.parse(with("\"nbce\":{\"beta\":0.25}")).nbce().selection(), "absent: every window decodes");
        assertNull(RequestParser.parse(with("\"nbce\":{\"selection\":null}")).nbce().selection());
        assertEquals(new Selection(Selection.Rule.SALIENCY, 1, 0),
                RequestParser.parse(with("\"nbce\":{\"selection\":{\"rule\":\"saliency\",\"keep\":1}}")).nbce().selection());
        assertEquals(new Selection(Selection.Rule.ENTROPY, 2, 1),
                RequestParser.parse(with("\"nbce\":{\"selection\":{\"rule\":\"entropy\",\"keep\":2}}")).nbce().selection(),
                "entropy ranks on the first step unless told");
        assertEquals(new Selection(Selection.Rule.ENTROPY, 3, 4), RequestParser.parse(with(
                "\"nbce\":{\"selection\":{\"rule\":\"entropy\",\"keep\":3,\"after_steps\":4}}")).nbce().selection());
    }

    @Test
    void rejectsABadWindowSelectionByField() {
        Object[][] cases = {
                {"\"selection\":[1]", "nbce.selection", "an array"},
                {"\"selection\":{\"keep\":1}", "nbce.selection.rule", "required"},
                {"\"selection\":{\"rule\":\"best\",\"keep\":1}", "nbce.selection.rule", "\"saliency\" or \"entropy\""},
                {"\"selection\":{\"rule\":\"saliency\"}", "nbce.selection.keep", "required"},
                {"\"selection\":{\"rule\":\"saliency\",\"keep\":0}", "nbce.selection.keep", "1..4096"},
                {"\"selection\":{\"rule\":\"saliency\",\"keep\":1.5}", "nbce.selection.keep", "integer"},
                {"\"selection\":{\"rule\":\"saliency\",\"keep\":1,\"after_steps\":2}", "nbce.selection.after_steps",
                        "before prefill"},
                {"\"selection\":{\"rule\":\"entropy\",\"keep\":1,\"after_steps\":0}", "nbce.selection.after_steps",
                        "1..4096"},
                {"\"selection\":{\"rule\":\"entropy\",\"keep\":1,\"when\":0}", "nbce.selection.when", "unknown field"},
        };
        for (Object[] c : cases) {
            InvalidRequestException e = rejected(with("\"nbce\":{" + c[0] + "}"));
            assertEquals(c[1], e.field(), (String) c[0]);
            assertTrue(e.getMessage().contains((String) c[2]), c[0] + " -> " + e.getMessage());
        }
    }

    @Test
    void rejectsWrongTypes() {
        Object[][] cases = {
                {"\"max_new_tokens\":\"ten\"", "max_new_tokens", "a string"},
                {"\"max_new_tokens\":1.5", "max_new_tokens", "fraction"},
                {"\"max_new_tokens\":64.0", "max_new_tokens", "fraction"},
                {"\"top_k\":true", "top_k", "true"},
                {"\"temperature\":\"hot\"", "temperature", "a string"},
                {"\"top_p\":[0.9]", "top_p", "an array"},
                {"\"seed\":1.5", "seed", "fraction"},
                {"\"stream\":\"yes\"", "stream", "a string"},
                {"\"user_template\":true", "user_template", "true"},
                {"\"document\":{}", "document", "an object"},
                {"\"contexts\":\"one\"", "contexts", "a string"},
                {"\"contexts\":[1,2]", "contexts", "an integer"},
                {"\"contexts\":[\"a\",[\"b\"]]", "contexts", "an array"},
                {"\"stop\":[false]", "stop", "false"},
                {"\"nbce\":[1]", "nbce", "an array"},
                {"\"nbce\":{\"beta\":\"big\"}", "nbce.beta", "a string"},
                {"\"nbce\":{\"pooling\":1}", "nbce.pooling", "an integer"},
        };
        for (Object[] c : cases) {
            InvalidRequestException e = rejected(with((String) c[0]));
            assertEquals(c[1], e.field(), (String) c[0]);
            assertTrue(e.getMessage().contains((String) c[2]), c[0] + " -> " + e.getMessage());
        }
        assertEquals("question", rejected("{\"question\":5}").field());
    }

    @Test
    void rejectsNullWhereAValueIsRequired() {
        for (String field : List.of("question", "contexts", "user_template", "max_new_tokens", "temperature", "top_p",
                "top_k", "stop", "nbce", "stream")) {
            String json = field.equals("question") ? "{\"question\":null}" : with("\"" + field + "\":null");
            InvalidRequestException e = rejected(json);
            assertEquals(field, e.field(), json);
        }
        assertEquals("contexts", rejected(with("\"contexts\":[\"a\",null]")).field());
        assertEquals("nbce.eta", rejected(with("\"nbce\":{\"eta\":null}")).field());
        GenerationRequest nullable = RequestParser.parse(with("\"seed\":null,\"document\":null"));
        assertNull(nullable.seed());
        assertNull(nullable.document());
    }

    @Test
    void rejectsNumbersOutOfRange() {
        Object[][] cases = {
                {"\"max_new_tokens\":0", "max_new_tokens"}, {"\"max_new_tokens\":4097", "max_new_tokens"},
                {"\"max_new_tokens\":99999999999", "max_new_tokens"}, {"\"temperature\":-0.5", "temperature"},
                {"\"temperature\":100.5", "temperature"}, {"\"top_p\":0", "top_p"}, {"\"top_p\":1.01", "top_p"},
                {"\"top_p\":1e400", "top_p"}, {"\"top_k\":-3", "top_k"}, {"\"top_k\":1000001", "top_k"},
                {"\"seed\":18446744073709551616", "seed"}, {"\"nbce\":{\"beta\":-1}", "nbce.beta"},
                {"\"nbce\":{\"eta\":-0.1}", "nbce.eta"}, {"\"nbce\":{\"beta\":1e400}", "nbce.beta"},
        };
        for (Object[] c : cases) {
            assertEquals(c[1], rejected(with((String) c[0])).field(), (String) c[0]);
        }
        assertTrue(rejected(with("\"max_new_tokens\":99999999999")).getMessage().contains("1..4096"));
    }

    @Test
    void rejectsBadValuesOfTheRightType() {
        Object[][] cases = {
                {"{\"question\":\"\"}", "question"}, {"{\"question\":\" \\n\"}", "question"}, {"{}", "question"},
                {with("\"contexts\":[\"\"]"), "contexts"}, {with("\"contexts\":[\"a\"],\"document\":\"b\""), "document"},
                {with("\"document\":\"  \""), "document"}, {with("\"user_template\":\"{question}\""), "user_template"},
                {with("\"user_template\":\"{context}\""), "user_template"}, {with("\"stop\":[\"\"]"), "stop"},
                {with("\"stop\":[\"" + "x".repeat(257) + "\"]"), "stop"},
                {with("\"stop\":" + List.of("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15",
                        "16", "17").stream().map(s -> "\"" + s + "\"").toList()), "stop"},
                {with("\"nbce\":{\"pooling\":\"max\"}"), "nbce.pooling"},
        };
        for (Object[] c : cases) {
            assertEquals(c[1], rejected((String) c[0]).field(), (String) c[0]);
        }
    }

    @Test
    void acceptsTheBoundaries() {
        GenerationRequest r = RequestParser.parse(with("\"max_new_tokens\":4096,\"temperature\":100,\"top_p\":1,"
                + "\"top_k\":1000000,\"stop\":[\"" + "x".repeat(256) + "\"],\"nbce\":{\"beta\":0,\"eta\":0}"));
        assertEquals(4096, r.maxNewTokens());
        assertEquals(1.0, r.topP());
        assertEquals(1, RequestParser.parse(with("\"max_new_tokens\":1")).maxNewTokens());
    }

    /** One case per rule the brief lists: the field (null = the request as a whole), then the JSON. */
    private static final String[][] ONE_CASE_EACH = {
            {null, "{\"question\":"},
            {null, ""},
            {null, "[{\"question\":\"q\"}]"},
            {"temperatur", "{\"question\":\"q\",\"temperatur\":0}"},
            {"nbce.alpha", "{\"question\":\"q\",\"nbce\":{\"alpha\":1}}"},
            {"max_new_tokens", "{\"question\":\"q\",\"max_new_tokens\":\"64\"}"},
            {"max_new_tokens", "{\"question\":\"q\",\"max_new_tokens\":1.5}"},
            {"question", "{\"question\":true}"},
            {"contexts", "{\"question\":\"q\",\"contexts\":[\"a\",3]}"},
            {"top_p", "{\"question\":\"q\",\"top_p\":0}"},
            {"top_p", "{\"question\":\"q\",\"top_p\":1.5}"},
            {"nbce.beta", "{\"question\":\"q\",\"nbce\":{\"beta\":-1}}"},
            {"max_new_tokens", "{\"question\":\"q\",\"max_new_tokens\":0}"},
            {"max_new_tokens", "{\"question\":\"q\",\"max_new_tokens\":5000}"},
            {"temperature", "{\"question\":\"q\",\"temperature\":-1}"},
            {"top_k", "{\"question\":\"q\",\"top_k\":-1}"},
            {"question", "{\"question\":\"\"}"},
            {"contexts", "{\"question\":\"q\",\"contexts\":[\"a\",\" \\t\\n \"]}"},
            {"document", "{\"question\":\"q\",\"contexts\":[\"a\"],\"document\":\"b\"}"},
            {"user_template", "{\"question\":\"q\",\"user_template\":\"Q: {question}\"}"},
            {"stop", "{\"question\":\"q\",\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",\"k\","
                    + "\"l\",\"m\",\"n\",\"o\",\"p\",\"q\"]}"},
            {null, "{\"question\":\"q\",\"stop\":" + "[".repeat(100) + "]".repeat(100) + "}"},
            {"top_p", "{\"question\":\"q\",\"top_p\":1e400}"},
            {null, "{\"question\":\"q\",\"top_p\":0.9,\"top_p\":0.8}"},
    };

    @Test
    void rejectsOneCaseOfEachRuleWithACleanMessageNamingTheField() {
        for (String[] c : ONE_CASE_EACH) {
            String field = c[0];
            InvalidRequestException e = assertThrows(InvalidRequestException.class,
                    () -> RequestParser.parse(c[1].getBytes(StandardCharsets.UTF_8)), c[1]);
            String message = e.getMessage();
            assertEquals(field, e.field(), c[1] + " -> " + message);
            if (field != null) {
                String leaf = field.substring(field.lastIndexOf('.') + 1); // "beta must be ..." names nbce.beta
                assertTrue(message.contains(leaf), "message names " + field + ": " + message);
            }
            assertCleanForClients(message);
        }
    }

    @Test
    void rejectsInvalidUtf8BytesEverywhereInTheBody() {
        byte[] valid = "{\"question\":\"ab\",\"contexts\":[\"cd\"]}".getBytes(StandardCharsets.UTF_8);
        for (byte bad : new byte[] {(byte) 0x80, (byte) 0xC0, (byte) 0xFF, (byte) 0xF8}) {
            for (int at : new int[] {0, 14, 30}) {
                byte[] body = valid.clone();
                body[at] = bad;
                InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> RequestParser.parse(body));
                assertEquals("request body is not valid UTF-8", e.getMessage());
                assertNull(e.field());
            }
        }
        InvalidRequestException empty = assertThrows(InvalidRequestException.class, () -> RequestParser.parse(new byte[0]));
        assertCleanForClients(empty.getMessage());
    }

    @Test
    void duplicateKeysAreRejectedInsideNbceToo() {
        InvalidRequestException e = rejected(with("\"nbce\":{\"beta\":0.1,\"beta\":0.2}"));
        assertTrue(e.getMessage().contains("'beta'"), e.getMessage());
    }

    /** One line, no Java class or package names (e.g. "com.fasterxml...", "ObjectNode", "NumberFormatException"). */
    private static void assertCleanForClients(String message) {
        assertClean(message);
        assertFalse(message.matches("(?s).*\\b[a-z]+(\\.[a-z0-9]+)+\\.[A-Z]\\w*.*"), "qualified class name: " + message);
        assertFalse(message.matches("(?s).*\\b[A-Z]\\w*[a-z](Exception|Error|Node|Parser|Feature)\\b.*"),
                "class name: " + message);
        assertFalse(message.contains("java."), message);
    }

    @Test
    void messagesStayOneShortLineWhateverTheInput() {
        String huge = "x\n".repeat(5000);
        InvalidRequestException e = rejected(with("\"nbce\":{\"pooling\":\"" + huge.replace("\n", "\\n") + "\"}"));
        assertTrue(e.getMessage().length() <= ClientText.MAX_MESSAGE_LENGTH + 1, "length " + e.getMessage().length());
    }
}
