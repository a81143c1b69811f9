package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.common.testing.Http;
import dev.nbce.common.testing.StartsCluster;
import dev.nbce.common.testing.WsClient;
import dev.nbce.gateway.prompt.ModelTokenizer;
import dev.nbce.gateway.request.Json;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * /v1/chat/completions and /v1/completions against a real loopback cluster with the tiny-llama reference:
 * exact reference ids, whole conversations in every row (checked against rows written out by hand in
 * the model's ChatML), parts, long pasted documents, log-probabilities, usage chunks and OpenAI errors.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@StartsCluster
class OpenAiEndpointTest {
    private TestCluster cluster;
    private ModelTokenizer tokenizer;

    @BeforeAll
    void start() throws Exception {
        cluster = new TestCluster(Fixtures.tinyLlama(), "tiny-llama", 2, Map.of());
        tokenizer = ModelTokenizer.load(Fixtures.tinyLlama());
    }

    @AfterAll
    void stop() throws Exception {
        if (tokenizer != null) {
            tokenizer.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private HttpResponse<String> post(String path, JsonNode body) throws Exception {
        return Http.postJson(cluster.baseUrl() + path, body.toString());
    }

    private JsonNode ok(String path, JsonNode body) throws Exception {
        HttpResponse<String> response = post(path, body);
        assertEquals(200, response.statusCode(), response.body());
        return Json.MAPPER.readTree(response.body());
    }

    /** A reference case as a chat client sends it: the question as the user message, contexts as our extension. */
    private static ObjectNode chatRequest(JsonNode c) {
        ObjectNode nbce = ClusterExactnessTest.requestJson(c);
        ObjectNode request = Json.MAPPER.createObjectNode().put("model", "tiny-llama");
        request.putArray("messages").addObject().put("role", "user").put("content", c.get("question").asText());
        request.set("contexts", nbce.get("contexts"));
        request.put("max_tokens", nbce.get("max_new_tokens").asInt());
        request.put("temperature", 0);
        request.set("top_p", nbce.get("top_p"));
        request.set("nbce", nbce.get("nbce"));
        return request;
    }

    private static List<JsonNode> events(String body) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.startsWith("data: ") && !line.equals("data: [DONE]")) {
                out.add(Json.MAPPER.readTree(line.substring(6)));
            }
        }
        assertTrue(body.strip().endsWith("data: [DONE]"), body);
        return out;
    }

    @Test
    void referenceIdsAreExactThroughChatCompletionsWholeAndStreamed() throws Exception {
        for (JsonNode c : Fixtures.tinyLlamaReference().get("nbce")) {
            JsonNode answer = ok("/v1/chat/completions", chatRequest(c));
            assertArrayEquals(Fixtures.ints(c.get("generated_ids")),
                    Fixtures.ints(answer.get("nbce").get("token_ids")), c.get("question").asText());
            assertArrayEquals(ReferenceGenerationTest.expectedWindows(c),
                    Fixtures.ints(answer.get("nbce").get("selected_windows")));
            int promptTokens = 0;
            for (JsonNode row : c.get("row_input_ids")) {
                promptTokens += row.size();
            }
            assertEquals(promptTokens, answer.get("usage").get("prompt_tokens").asInt(), "every row counted");

            ObjectNode streamed = chatRequest(c).put("stream", true);
            streamed.putObject("stream_options").put("include_usage", true);
            HttpResponse<String> response = post("/v1/chat/completions", streamed);
            assertEquals(200, response.statusCode(), response.body());
            List<JsonNode> chunks = events(response.body());
            StringBuilder text = new StringBuilder();
            chunks.forEach(ch -> ch.path("choices").forEach(choice -> text.append(choice.path("delta").path("content").asText(""))));
            assertEquals(answer.get("choices").get(0).get("message").get("content").asText(), text.toString());
            JsonNode last = chunks.get(chunks.size() - 1);
            assertEquals(0, last.get("choices").size(), "the usage chunk has no choices: " + last);
            assertEquals(answer.get("usage"), last.get("usage"));
            assertEquals("assistant", chunks.get(0).get("choices").get(0).get("delta").get("role").asText());
        }
    }

    @Test
    void nChoicesAreTheSeededAnswersOfSingleRequestsOverTheSameWindows() throws Exception {
        JsonNode c = Fixtures.tinyLlamaReference().get("nbce").get(0);
        ObjectNode request = chatRequest(c).put("temperature", 1.0).put("seed", 41).put("n", 3);
        JsonNode answer = ok("/v1/chat/completions", request);
        assertEquals(3, answer.get("choices").size(), answer.toString());
        int completion = 0;
        for (int i = 0; i < 3; i++) {
            JsonNode choice = answer.get("choices").get(i);
            assertEquals(i, choice.get("index").asInt());
            JsonNode single = ok("/v1/chat/completions", chatRequest(c).put("temperature", 1.0).put("seed", 41 + i));
            assertEquals(single.get("nbce").get("token_ids"), choice.get("nbce").get("token_ids"), "choice " + i + " is seed " + (41 + i));
            assertEquals(single.get("choices").get(0).get("message").get("content"), choice.get("message").get("content"));
            assertEquals(single.get("usage").get("prompt_tokens"), answer.get("usage").get("prompt_tokens"), "the prompt counts once");
            completion += single.get("usage").get("completion_tokens").asInt();
        }
        assertEquals(completion, answer.get("usage").get("completion_tokens").asInt());
        HttpResponse<String> streamed = post("/v1/chat/completions", chatRequest(c).put("n", 2).put("stream", true));
        assertEquals(400, streamed.statusCode(), streamed.body());
        assertTrue(streamed.body().contains("\"param\":\"n\""), streamed.body());
    }

    @Test
    void aWindowSelectionIsReportedInTheNbceExtension() throws Exception {
        for (JsonNode c : Fixtures.tinyLlamaReference().get("nbce")) {
            if (c.get("contexts").size() < 2) {
                continue;
            }
            ObjectNode request = chatRequest(c);
            ((ObjectNode) request.get("nbce")).putObject("selection").put("rule", "saliency").put("keep", 1);
            JsonNode selection = ok("/v1/chat/completions", request).get("nbce").get("selection");
            assertEquals("saliency", selection.get("rule").asText(), c.get("question").asText());
            assertEquals(1, selection.get("kept_windows").size());
            assertEquals(0, selection.get("dropped_at_step").asInt(), "chosen before prefill");
        }
        assertTrue(ok("/v1/chat/completions", chatRequest(Fixtures.tinyLlamaReference().get("nbce").get(0)))
                .get("nbce").get("selection") == null, "none without nbce.selection");
    }

    @Test
    void everyRowIsTheWholeConversationWithTheWindowInTheFirstUserTurn() throws Exception {
        ObjectNode request = Json.MAPPER.createObjectNode().put("max_tokens", 4).put("temperature", 0);
        ArrayNode messages = request.putArray("messages");
        messages.addObject().put("role", "system").put("content", "Answer briefly.");
        messages.addObject().put("role", "user").put("content", "Who has a rabbit?");
        messages.addObject().put("role", "assistant").put("content", "Jack Baker.");
        messages.addObject().put("role", "user").put("content", "And a hamster?");
        request.putArray("contexts").add("Lucas Garcia has a pet hamster.").add("Jack Baker has a pet rabbit.");
        String history = "<|im_start|>system\nAnswer briefly.<|im_end|>\n";
        String later = "<|im_start|>assistant\nJack Baker.<|im_end|>\n<|im_start|>user\nAnd a hamster?<|im_end|>\n"
                + "<|im_start|>assistant\n";
        int expected = tokenizer.encode(history + "<|im_start|>user\nWho has a rabbit?<|im_end|>\n" + later).length;
        for (String window : List.of("Lucas Garcia has a pet hamster.", "Jack Baker has a pet rabbit.")) {
            expected += tokenizer.encode(history + "<|im_start|>user\nWho has a rabbit?\n\n" + window + "<|im_end|>\n" + later).length;
        }
        JsonNode answer = ok("/v1/chat/completions", request);
        assertEquals(expected, answer.get("usage").get("prompt_tokens").asInt(), answer.toString());

        // The native request and the WebSocket protocol take the same conversation and give the same ids.
        ObjectNode nativeRequest = Json.MAPPER.createObjectNode().put("max_new_tokens", 4);
        nativeRequest.set("messages", messages);
        nativeRequest.set("contexts", request.get("contexts"));
        JsonNode generated = ClusterExactnessTest.postGenerate(cluster.baseUrl(), nativeRequest);
        assertEquals(answer.get("nbce").get("token_ids"), generated.get("token_ids"));
        try (WsClient ws = new WsClient(cluster.baseUrl())) {
            ws.send(WsClient.generateFrame("conv", nativeRequest));
            List<JsonNode> frames = ws.until("conv", 60);
            JsonNode done = frames.get(frames.size() - 1);
            assertEquals(generated.get("token_ids"), done.get("result").get("token_ids"), done.toString());
        }
    }

    @Test
    void textPartsAreJoinedWhereTheTemplateTakesAString() throws Exception {
        ObjectNode parts = Json.MAPPER.createObjectNode().put("max_tokens", 3);
        ArrayNode content = parts.putArray("messages").addObject().put("role", "user").putArray("content");
        content.addObject().put("type", "text").put("text", "What pet does");
        content.addObject().put("type", "text").put("text", "Jack Baker have?");
        ObjectNode joined = Json.MAPPER.createObjectNode().put("max_tokens", 3);
        joined.putArray("messages").addObject().put("role", "user").put("content", "What pet does\nJack Baker have?");
        JsonNode a = ok("/v1/chat/completions", parts);
        JsonNode b = ok("/v1/chat/completions", joined);
        assertEquals(b.get("usage"), a.get("usage"));
        assertEquals(b.get("nbce").get("token_ids"), a.get("nbce").get("token_ids"));
    }

    @Test
    void aLongPastedDocumentIsWindowedInsteadOfRefused() throws Exception {
        StringBuilder document = new StringBuilder();
        for (JsonNode c : Fixtures.tinyLlamaReference().get("nbce")) {
            for (JsonNode context : c.get("contexts")) {
                document.append(context.asText()).append("\n\n");
            }
        }
        String doc = document.toString().repeat(4).strip();
        assertTrue(tokenizer.encode(doc).length > 600, "longer than tiny-llama's 512 positions");
        ObjectNode request = Json.MAPPER.createObjectNode().put("max_tokens", 6).put("temperature", 0);
        request.putArray("messages").addObject().put("role", "user").put("content", doc + "\n\nWhat pet does Jack Baker have?");
        JsonNode answer = ok("/v1/chat/completions", request);
        assertEquals(0, answer.get("nbce").get("windowed_message").asInt(), answer.toString());
        assertTrue(answer.get("nbce").get("windows").asInt() > 1, answer.toString());

        // The same as giving the document explicitly with the question alone.
        ObjectNode explicit = Json.MAPPER.createObjectNode().put("max_new_tokens", 6).put("question", "What pet does Jack Baker have?")
                .put("document", doc);
        JsonNode generated = ClusterExactnessTest.postGenerate(cluster.baseUrl(), explicit);
        assertEquals(generated.get("token_ids"), answer.get("nbce").get("token_ids"));
        assertEquals(generated.get("windows"), answer.get("nbce").get("windows"));
    }

    @Test
    void logprobsAreTheFinalDistributionsOfTheChosenTokens() throws Exception {
        JsonNode c = Fixtures.tinyLlamaReference().get("nbce").get(0);
        ObjectNode request = chatRequest(c).put("logprobs", true).put("top_logprobs", 3);
        JsonNode answer = ok("/v1/chat/completions", request);
        JsonNode content = answer.get("choices").get(0).get("logprobs").get("content");
        int[] ids = Fixtures.ints(c.get("generated_ids"));
        boolean endsWithEos = "stop".equals(answer.get("choices").get(0).get("finish_reason").asText());
        assertEquals(ids.length - (endsWithEos ? 1 : 0), content.size(), content.toString());
        for (JsonNode entry : content) {
            JsonNode top = entry.get("top_logprobs");
            assertEquals(3, top.size());
            // Greedy: the chosen token is the most probable one of the final distribution.
            assertEquals(top.get(0).get("logprob").asDouble(), entry.get("logprob").asDouble(), 1e-12);
            assertEquals(top.get(0).get("token").asText(), entry.get("token").asText());
            double mass = 0;
            for (JsonNode alternative : top) {
                assertTrue(alternative.get("logprob").asDouble() <= 0);
                mass += Math.exp(alternative.get("logprob").asDouble());
            }
            assertTrue(mass <= 1 + 1e-9, "probabilities sum to at most 1: " + mass);
        }
        assertArrayEquals(ids, Fixtures.ints(answer.get("nbce").get("token_ids")), "logprobs change nothing");
    }

    @Test
    void completionsRenderTheRawPrompt() throws Exception {
        JsonNode c = Fixtures.tinyLlamaReference().get("nbce").get(1);
        // tiny-llama has no bos_token, so the raw prompt of row 0's text is exactly the chat row of the question.
        ObjectNode request = Json.MAPPER.createObjectNode().put("model", "tiny-llama").put("max_tokens", 8)
                .put("prompt", c.get("row_texts").get(0).asText()).put("temperature", 0);
        JsonNode completion = ok("/v1/completions", request);
        assertEquals("text_completion", completion.get("object").asText());
        JsonNode generated = ClusterExactnessTest.postGenerate(cluster.baseUrl(), Json.MAPPER.createObjectNode()
                .put("question", c.get("question").asText()).put("max_new_tokens", 8));
        assertEquals(generated.get("token_ids"), completion.get("nbce").get("token_ids"));
        assertEquals(generated.get("text").asText(), completion.get("choices").get(0).get("text").asText());

        ObjectNode streamed = request.deepCopy().put("stream", true);
        streamed.putObject("stream_options").put("include_usage", true);
        HttpResponse<String> response = post("/v1/completions", streamed);
        StringBuilder text = new StringBuilder();
        List<JsonNode> chunks = events(response.body());
        chunks.forEach(ch -> ch.path("choices").forEach(choice -> text.append(choice.path("text").asText(""))));
        assertEquals(generated.get("text").asText(), text.toString());
        assertEquals(completion.get("usage"), chunks.get(chunks.size() - 1).get("usage"));
    }

    @Test
    void errorsAreOpenAiShaped() throws Exception {
        ObjectNode request = chatRequest(Fixtures.tinyLlamaReference().get("nbce").get(0)).put("model", "gpt-4o");
        HttpResponse<String> response = post("/v1/chat/completions", request);
        assertEquals(404, response.statusCode(), response.body());
        JsonNode error = Json.MAPPER.readTree(response.body()).get("error");
        assertEquals("model_not_found", error.get("code").asText());
        assertEquals("invalid_request_error", error.get("type").asText());
        assertTrue(error.has("param") && error.has("message"), error.toString());

        response = post("/v1/chat/completions", chatRequest(Fixtures.tinyLlamaReference().get("nbce").get(0)).put("n", "1"));
        assertEquals(400, response.statusCode(), response.body());
        assertEquals("n", Json.MAPPER.readTree(response.body()).get("error").get("param").asText());
    }
}
