package dev.nbce.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.InvalidRequestException;
import dev.nbce.common.error.NbceException;
import dev.nbce.gateway.request.GenerationRequest;
import dev.nbce.gateway.request.RequestMessage;
import dev.nbce.gateway.request.RequestParser;
import dev.nbce.gateway.request.Role;
import dev.nbce.structured.ConstraintSpec;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class OpenAiRequestParserTest {
    private static final String USER = "\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]";
    private final OpenAiRequestParser parser = new OpenAiRequestParser("tiny-llama");

    private OpenAiRequest chat(String fields) {
        return parser.chat(RequestParser.readTree("{" + USER + (fields.isEmpty() ? "" : "," + fields) + "}"));
    }

    private InvalidRequestException chatFails(String fields) {
        return assertThrows(InvalidRequestException.class, () -> chat(fields));
    }

    @Test
    void theWholeConversationIsKeptWithDeveloperAsSystemAndPartsAsParts() {
        GenerationRequest r = parser.chat(RequestParser.readTree("{\"model\":\"tiny-llama\",\"messages\":["
                + "{\"role\":\"developer\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"hi\",\"name\":\"ann\"},"
                + "{\"role\":\"assistant\",\"content\":\"hello\",\"refusal\":null},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"text\",\"text\":\"b\"}]}]}")).request();
        assertEquals(List.of(RequestMessage.of(Role.SYSTEM, "be brief"), RequestMessage.of(Role.USER, "hi"),
                RequestMessage.of(Role.ASSISTANT, "hello"), new RequestMessage(Role.USER, null, List.of("a", "b"))),
                r.messages());
        assertEquals("a\nb", r.messages().get(3).text());
    }

    @Test
    void noMaxTokensMeansAsManyAsFitAndEitherNameSetsTheBudget() {
        assertTrue(chat("").request().fillWindow());
        assertEquals(7, chat("\"max_tokens\":7").request().maxNewTokens());
        assertFalse(chat("\"max_completion_tokens\":9").request().fillWindow());
        assertEquals(9, chat("\"max_completion_tokens\":9,\"max_tokens\":3").request().maxNewTokens());
    }

    @Test
    void implementedFieldsReachTheRequest() {
        OpenAiRequest r = chat("\"stream\":true,\"stream_options\":{\"include_usage\":true},\"logprobs\":true,"
                + "\"top_logprobs\":3,\"presence_penalty\":0.5,\"frequency_penalty\":-1,\"stop\":\"\\n\",\"seed\":5,"
                + "\"temperature\":0.7,\"top_p\":0.9,\"n\":1,\"contexts\":[\"c\"],\"nbce\":{\"beta\":0.5}");
        assertTrue(r.stream() && r.includeUsage() && r.logprobs());
        assertEquals(3, r.request().output().logprobs());
        assertEquals(0.5, r.request().output().presencePenalty());
        assertEquals(-1, r.request().output().frequencyPenalty());
        assertEquals(List.of("\n"), r.request().stop());
        assertEquals(5L, r.request().seed());
        assertEquals(List.of("c"), r.request().contexts());
        assertEquals(0.5, r.request().nbce().beta());
    }

    @Test
    void acceptedAndIgnoredFieldsStayAcceptedWhenWellTyped() {
        OpenAiRequest r = chat("\"user\":\"u-1\",\"metadata\":{\"k\":\"v\"},\"store\":false,\"service_tier\":\"auto\","
                + "\"prompt_cache_key\":\"p\",\"safety_identifier\":\"s\",\"parallel_tool_calls\":true,"
                + "\"reasoning_effort\":\"low\",\"verbosity\":\"low\",\"response_format\":{\"type\":\"text\"},"
                + "\"modalities\":[\"text\"],\"tools\":[],\"tool_choice\":\"none\",\"logit_bias\":{},\"audio\":null,"
                + "\"prediction\":null,\"web_search_options\":null,\"presence_penalty\":null,\"logprobs\":false");
        assertFalse(r.logprobs());
        assertEquals(-1, r.request().output().logprobs());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"n\":\"1\"|n", "\"n\":true|n", "\"n\":1.9|n", "\"n\":4294967297|n", "\"n\":2|n",
            "\"stream\":\"yes\"|stream", "\"model\":123|model", "\"user\":{}|user", "\"max_tokens\":\"5\"|max_tokens",
            "\"max_tokens\":0|max_tokens", "\"temperature\":\"0\"|temperature", "\"temperature\":3|temperature",
            "\"top_p\":0|top_p", "\"top_p\":1.01|top_p", "\"seed\":1.5|seed", "\"stop\":[1]|stop",
            "\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]|stop",
            "\"logprobs\":1|logprobs", "\"top_logprobs\":2|top_logprobs", "\"logprobs\":true,\"top_logprobs\":21|top_logprobs",
            "\"presence_penalty\":3|presence_penalty", "\"frequency_penalty\":\"1\"|frequency_penalty",
            "\"stream_options\":{\"include_usage\":true}|stream_options", "\"stream\":true,\"stream_options\":{\"x\":1}|stream_options.x",
            "\"stream\":true,\"stream_options\":{\"include_usage\":1}|stream_options.include_usage",
            "\"response_format\":{\"type\":\"json_schema\"}|response_format.json_schema", "\"tools\":[{\"type\":\"function\"}]|tools",
            "\"tool_choice\":\"required\"|tool_choice", "\"logit_bias\":{\"5\":101}|logit_bias", "\"metadata\":[]|metadata",
            "\"store\":\"no\"|store", "\"frobnicate\":1|frobnicate", "\"question\":\"q\"|question"})
    void wrongTypesAndUnsupportedValuesName(String fields, String param) {
        assertEquals(param, chatFails(fields).field(), fields);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "[{\"role\":\"wizard\",\"content\":\"q\"}]|messages[0].role",
            "[{\"role\":\"tool\",\"content\":\"q\",\"tool_call_id\":\"t\"}]|messages[0].role",
            "[{\"role\":7,\"content\":\"q\"}]|messages[0].role",
            "[{\"content\":\"q\"}]|messages[0].role",
            "[{\"role\":\"user\",\"content\":7}]|messages[0].content",
            "[{\"role\":\"user\"}]|messages[0].content",
            "[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"x\"}}]}]|messages[0].content[0].type",
            "[{\"role\":\"user\",\"content\":\"q\",\"colour\":1}]|messages[0].colour",
            "[{\"role\":\"user\",\"content\":\"q\",\"name\":5}]|messages[0].name",
            "[{\"role\":\"system\",\"content\":\"s\"}]|messages",
            "[]|messages", "\"q\"|messages"})
    void messagesAreStrict(String caseText) {
        String[] c = caseText.split("\\|");
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> parser.chat(RequestParser.readTree("{\"messages\":" + c[0] + "}")));
        assertEquals(c[1], e.field(), c[0] + ": " + e.getMessage());
    }

    @Test
    void everyConstraintFormReachesTheRequestWithItsField() {
        assertEquals(new ConstraintSpec.AnyJsonObject(), chat("\"response_format\":{\"type\":\"json_object\"}").request().constraint());
        GenerationRequest schema = chat("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"p\","
                + "\"strict\":true,\"schema\":{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}}}}}").request();
        assertEquals("response_format.json_schema.schema", schema.constraintField());
        assertEquals("{\"type\":\"json_schema\",\"schema\":{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}}}}",
                schema.constraint().toJson());
        assertEquals(new ConstraintSpec.Choice(List.of("yes", "no")),
                chat("\"structured_outputs\":{\"choice\":[\"yes\",\"no\"]}").request().constraint());
        assertEquals(new ConstraintSpec.Regex("[0-9]+"), chat("\"guided_regex\":\"[0-9]+\"").request().constraint());
        GenerationRequest json = chat("\"guided_json\":\"{\\\"type\\\":\\\"string\\\"}\"").request();
        assertEquals("guided_json", json.constraintField());
        assertEquals("{\"type\":\"json_schema\",\"schema\":{\"type\":\"string\"}}", json.constraint().toJson());
        assertEquals(new ConstraintSpec.Choice(List.of("a")), parser.completion(RequestParser.readTree(
                "{\"prompt\":\"p\",\"guided_choice\":[\"a\"]}")).request().constraint());
        assertEquals(new ConstraintSpec.AnyJsonObject(), parser.completion(RequestParser.readTree(
                "{\"prompt\":\"p\",\"response_format\":{\"type\":\"json_object\"}}")).request().constraint());
        assertNull(chat("\"response_format\":{\"type\":\"text\"}").request().constraint());
        assertEquals(java.util.Map.of(5, -100.0, 17, 2.5), chat("\"logit_bias\":{\"17\":2.5,\"5\":-100}").request().logitBias());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"response_format\":{\"type\":\"json_object\"},\"guided_regex\":\"a\"|guided_regex",
            "\"structured_outputs\":{\"regex\":\"a\",\"choice\":[\"b\"]}|structured_outputs",
            "\"structured_outputs\":{\"grammar\":\"root ::= x\"}|structured_outputs.grammar",
            "\"structured_outputs\":{}|structured_outputs",
            "\"response_format\":{\"type\":\"yaml\"}|response_format.type",
            "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"n\"}}|response_format.json_schema.schema",
            "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"schema\":[]}}|response_format.json_schema.schema",
            "\"response_format\":{\"type\":\"json_object\",\"schema\":{}}|response_format.schema",
            "\"guided_choice\":[]|guided_choice", "\"guided_choice\":[1]|guided_choice[0]",
            "\"guided_json\":\"{not json\"|guided_json", "\"guided_grammar\":\"x\"|guided_grammar",
            "\"logit_bias\":{\"x\":1}|logit_bias", "\"logit_bias\":{\"5\":\"1\"}|logit_bias", "\"logit_bias\":{\"-1\":1}|logit_bias"})
    void badConstraintsAndBiasesName(String fields, String param) {
        assertEquals(param, chatFails(fields).field(), fields);
    }

    @Test
    void aModelThatIsNotServedIsModelNotFound() {
        NbceException e = assertThrows(NbceException.class, () -> chat("\"model\":\"gpt-4o\""));
        assertEquals(ErrorCode.MODEL_NOT_FOUND, e.code());
        assertEquals(404, e.code().httpStatus());
        assertTrue(e.getMessage().contains("gpt-4o"), e.getMessage());
    }

    @Test
    void completionsTakeAPromptStringAndTheLegacyLogprobs() {
        OpenAiRequest r = parser.completion(RequestParser.readTree(
                "{\"model\":\"tiny-llama\",\"prompt\":[\"Once\"],\"logprobs\":2,\"max_tokens\":4,\"echo\":false,\"best_of\":1}"));
        assertEquals("Once", r.request().prompt());
        assertNull(r.request().question());
        assertEquals(2, r.request().output().logprobs());
        for (String bad : List.of("{\"prompt\":[1,2]}", "{\"prompt\":[\"a\",\"b\"]}", "{}", "{\"prompt\":\"a\",\"echo\":true}",
                "{\"prompt\":\"a\",\"logprobs\":6}", "{\"prompt\":\"a\",\"suffix\":\"z\"}", "{\"prompt\":\"a\",\"messages\":[]}")) {
            assertThrows(InvalidRequestException.class, () -> parser.completion(RequestParser.readTree(bad)), bad);
        }
    }
}
