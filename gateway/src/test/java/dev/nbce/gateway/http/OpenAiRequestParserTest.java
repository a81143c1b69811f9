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
import dev.nbce.gateway.request.Tool;
import dev.nbce.gateway.request.ToolChoice;
import dev.nbce.gateway.request.Tools;
import dev.nbce.gateway.tools.ToolCallFormat;
import dev.nbce.gateway.tools.ToolConstraint;
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
            "\"n\":\"1\"|n", "\"n\":true|n", "\"n\":1.9|n", "\"n\":4294967297|n", "\"n\":9|n", "\"n\":0|n",
            "\"stream\":\"yes\"|stream", "\"model\":123|model", "\"user\":{}|user", "\"max_tokens\":\"5\"|max_tokens",
            "\"max_tokens\":0|max_tokens", "\"temperature\":\"0\"|temperature", "\"temperature\":3|temperature",
            "\"top_p\":0|top_p", "\"top_p\":1.01|top_p", "\"seed\":1.5|seed", "\"stop\":[1]|stop",
            "\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]|stop",
            "\"logprobs\":1|logprobs", "\"top_logprobs\":2|top_logprobs", "\"logprobs\":true,\"top_logprobs\":21|top_logprobs",
            "\"presence_penalty\":3|presence_penalty", "\"frequency_penalty\":\"1\"|frequency_penalty",
            "\"stream_options\":{\"include_usage\":true}|stream_options", "\"stream\":true,\"stream_options\":{\"x\":1}|stream_options.x",
            "\"stream\":true,\"stream_options\":{\"include_usage\":1}|stream_options.include_usage",
            "\"response_format\":{\"type\":\"json_schema\"}|response_format.json_schema", "\"tools\":[{\"type\":\"function\"}]|tools[0].function",
            "\"tool_choice\":\"required\"|tool_choice", "\"logit_bias\":{\"5\":101}|logit_bias", "\"metadata\":[]|metadata",
            "\"store\":\"no\"|store", "\"frobnicate\":1|frobnicate", "\"question\":\"q\"|question"})
    void wrongTypesAndUnsupportedValuesName(String fields, String param) {
        assertEquals(param, chatFails(fields).field(), fields);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "[{\"role\":\"wizard\",\"content\":\"q\"}]|messages[0].role",
            "[{\"role\":\"function\",\"content\":\"q\",\"name\":\"t\"}]|messages[0].role",
            "[{\"role\":\"tool\",\"content\":\"q\",\"tool_call_id\":\"t\"}]|messages",
            "[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"tool\",\"content\":\"r\"}]|messages[1].tool_call_id",
            "[{\"role\":\"user\",\"content\":\"q\",\"tool_call_id\":\"t\"}]|messages[0].tool_call_id",
            "[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\":\"}}]},{\"role\":\"tool\",\"content\":\"r\",\"tool_call_id\":\"c\"}]|messages[1].tool_calls[0].function.arguments",
            "[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"[1]\"}}]},{\"role\":\"tool\",\"content\":\"r\",\"tool_call_id\":\"c\"}]|messages[1].tool_calls[0].function.arguments",
            "[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"tool_calls\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},{\"role\":\"user\",\"content\":\"q\"}]|messages[1].tool_calls[0]",
            "[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\",\"type\":\"code\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},{\"role\":\"user\",\"content\":\"q\"}]|messages[1].tool_calls[0].type",
            "[{\"role\":\"user\",\"content\":\"q\",\"tool_calls\":[{\"id\":\"c\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}]|messages[0].tool_calls",
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

    private static final String WEATHER = "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
            + "\"description\":\"Weather of a city\",\"parameters\":{\"type\":\"object\",\"properties\":"
            + "{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}}";
    private static final String TIME = "{\"type\":\"function\",\"function\":{\"name\":\"get_time\"}}";

    @Test
    void toolsAreReadWithAutoAsTheDefaultChoiceAndNoConstraint() {
        OpenAiRequest r = chat("\"tools\":[" + WEATHER + "," + TIME + "]");
        Tools tools = r.request().tools();
        assertEquals(List.of("get_weather", "get_time"), tools.functions().stream().map(Tool::name).toList());
        assertEquals(ToolChoice.AUTO, tools.choice());
        assertTrue(tools.parallel());
        assertEquals("Weather of a city", tools.functions().get(0).description());
        assertEquals("{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}",
                tools.functions().get(1).parameters().toString());
        assertEquals(ToolCallFormat.HERMES, r.toolFormat());
        assertNull(r.request().constraint());
        assertNull(chat("").toolFormat());
        assertEquals(Tools.NONE, chat("").request().tools());
    }

    @Test
    void noneKeepsTheToolsFromTheModelAndAnswersWithText() {
        OpenAiRequest r = chat("\"tools\":[" + WEATHER + "],\"tool_choice\":\"none\"");
        assertFalse(r.request().tools().offered());
        assertNull(r.toolFormat());
        assertNull(r.request().constraint());
    }

    @Test
    void requiredAndANamedFunctionSetTheConstraintOfTheirCalls() {
        OpenAiRequest required = chat("\"tools\":[" + WEATHER + "," + TIME + "],\"tool_choice\":\"required\"");
        assertEquals(ToolConstraint.of(required.request().tools(), ToolCallFormat.HERMES), required.request().constraint());
        ConstraintSpec.Repeat calls = (ConstraintSpec.Repeat) required.request().constraint();
        assertEquals(2, ((ConstraintSpec.AnyOf) calls.item()).options().size());
        OpenAiRequest named = chat("\"tools\":[" + WEATHER + "," + TIME + "],\"parallel_tool_calls\":false,"
                + "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_time\"}}");
        assertEquals(ToolChoice.function("get_time"), named.request().tools().choice());
        assertFalse(named.request().tools().parallel());
        ConstraintSpec one = named.request().constraint();
        assertEquals(ConstraintSpec.Sequence.class, one.getClass());
        assertTrue(one.toJson().contains("{\"const\":\"get_time\"}"), one.toJson());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"tools\":[" + "{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"g\"}}|tool_choice.function.name",
            "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"g\"}}|tool_choice.function.name",
            "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],\"tool_choice\":\"maybe\"|tool_choice",
            "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],\"tool_choice\":{\"type\":\"function\"}|tool_choice",
            "\"tool_choice\":\"auto\"|tool_choice",
            "\"tools\":[{\"type\":\"retrieval\"}]|tools[0].type",
            "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"a b\"}}]|tools[0].function.name",
            "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}},{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]|tools[1].function.name",
            "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":[]}}]|tools[0].function.parameters",
            "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"string\"}}}]|tools[0].function.parameters/type",
            "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"strict\":\"yes\"}}]|tools[0].function.strict",
            "\"tools\":{}|tools", "\"parallel_tool_calls\":1|parallel_tool_calls",
            "\"functions\":[{\"name\":\"f\"}]|functions", "\"function_call\":{\"name\":\"f\"}|function_call"})
    void badToolsAreA400NamingTheField(String fields, String field) {
        assertEquals(field, chatFails(fields).field(), fields);
    }

    @Test
    void withTheParserOffToolsAreRefusedButNoneIsAccepted() {
        OpenAiRequestParser off = new OpenAiRequestParser("tiny-llama", ToolCallFormat.NONE);
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> off.chat(RequestParser.readTree(
                "{" + USER + ",\"tools\":[" + TIME + "]}")));
        assertEquals("tools", e.field());
        assertNull(off.chat(RequestParser.readTree("{" + USER + ",\"tools\":[" + TIME + "],\"tool_choice\":\"none\"}"))
                .toolFormat());
    }

    @Test
    void toolCallsAndToolResultsInTheHistoryAreKept() {
        GenerationRequest r = parser.chat(RequestParser.readTree("{\"messages\":[{\"role\":\"user\",\"content\":\"w?\"},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
                + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\": \\\"Oslo\\\"}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"sunny\"}],\"tools\":[" + WEATHER + "]}"))
                .request();
        RequestMessage call = r.messages().get(1);
        assertEquals("", call.text());
        assertEquals(1, call.toolCalls().size());
        assertEquals("get_weather", call.toolCalls().get(0).name());
        assertEquals("{\"city\": \"Oslo\"}", call.toolCalls().get(0).arguments());
        assertEquals("Oslo", call.toolCalls().get(0).argumentsValue().get("city").asText());
        assertEquals(Role.TOOL, r.messages().get(2).role());
        assertEquals("call_1", r.messages().get(2).toolCallId());
        assertEquals("sunny", r.messages().get(2).text());
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
