package dev.nbce.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.gateway.request.FinishReason;
import dev.nbce.gateway.request.GenerationResult;
import dev.nbce.gateway.request.Usage;
import dev.nbce.gateway.tools.ToolCallFormat;
import dev.nbce.gateway.tools.ToolCallStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Answers read for tool calls, in OpenAI's shapes. */
class OpenAiToolResponsesTest {
    private final OpenAiResponses out = new OpenAiResponses("chatcmpl-", "m", id -> "t" + id);

    private static GenerationResult result(String text) {
        return new GenerationResult(text, new int[] {1, 2}, new int[] {-1, -1}, FinishReason.EOS,
                new Usage(new int[] {5}, 5, 2), List.of());
    }

    @Test
    void callsAreMessageToolCallsWithNullContentAndFinishToolCalls() {
        JsonNode body = out.chatCompletion(result("<tool_call>\n{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Oslo\"}}"
                + "\n</tool_call>"), false, ToolCallFormat.HERMES);
        JsonNode choice = body.get("choices").get(0);
        assertEquals("tool_calls", choice.get("finish_reason").asText());
        JsonNode message = choice.get("message");
        assertTrue(message.get("content").isNull(), message.toString());
        JsonNode call = message.get("tool_calls").get(0);
        assertTrue(call.get("id").asText().startsWith("call_"));
        assertEquals("function", call.get("type").asText());
        assertEquals("get_weather", call.get("function").get("name").asText());
        assertEquals("{\"city\":\"Oslo\"}", call.get("function").get("arguments").asText());
    }

    @Test
    void textWithoutCallsOrWithoutToolsIsContentAsBefore() {
        for (ToolCallFormat format : new ToolCallFormat[] {ToolCallFormat.HERMES, null}) {
            JsonNode choice = out.chatCompletion(result("It is sunny."), false, format).get("choices").get(0);
            assertEquals("It is sunny.", choice.get("message").get("content").asText());
            assertFalse(choice.get("message").has("tool_calls"));
            assertEquals("stop", choice.get("finish_reason").asText());
        }
        JsonNode untouched = out.chatCompletion(result("<tool_call>\n{\"name\":\"f\",\"arguments\":{}}\n</tool_call>"), false,
                null).get("choices").get(0);
        assertEquals("stop", untouched.get("finish_reason").asText());
        assertTrue(untouched.get("message").get("content").asText().startsWith("<tool_call>"));
    }

    @Test
    void streamedDeltasAreOpenAisToolCallChunks() {
        JsonNode start = out.toolChunk(new ToolCallStream.Start(0, "call_1", "f"), 2, true).get("choices").get(0);
        assertEquals("assistant", start.get("delta").get("role").asText());
        JsonNode call = start.get("delta").get("tool_calls").get(0);
        assertEquals(0, call.get("index").asInt());
        assertEquals("call_1", call.get("id").asText());
        assertEquals("function", call.get("type").asText());
        assertEquals("f", call.get("function").get("name").asText());
        assertEquals("", call.get("function").get("arguments").asText());
        assertTrue(start.get("finish_reason").isNull());
        JsonNode args = out.toolChunk(new ToolCallStream.Arguments(0, "{\"a\":"), 2, false).get("choices").get(0).get("delta");
        assertFalse(args.has("role"));
        assertEquals("{\"a\":", args.get("tool_calls").get(0).get("function").get("arguments").asText());
        assertFalse(args.get("tool_calls").get(0).has("id"));
        assertEquals("hi", out.toolChunk(new ToolCallStream.Content("hi"), 0, false).get("choices").get(0).get("delta")
                .get("content").asText());
        assertEquals("tool_calls", out.chatFinalChunk(result(""), true).get("choices").get(0).get("finish_reason").asText());
        assertEquals("stop", out.chatFinalChunk(result(""), false).get("choices").get(0).get("finish_reason").asText());
    }
}
