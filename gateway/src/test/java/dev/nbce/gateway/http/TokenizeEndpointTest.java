package dev.nbce.gateway.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.gateway.request.Json;
import dev.nbce.gateway.service.GatewayLimits;
import dev.nbce.common.testing.Http;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * /tokenize and /detokenize from a model directory that holds no weights (what a gateway pod mounts):
 * the rendered rows of the tiny-llama reference tokenize to exactly its {@code row_input_ids}, and a
 * one-turn conversation renders through the chat template to exactly row 0.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenizeEndpointTest {

    private NoWorkerGateway gateway;

    @BeforeAll
    void start(@TempDir Path weightless) throws Exception {
        for (String file : List.of("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json")) {
            Files.copy(Fixtures.tinyLlama().resolve(file), weightless.resolve(file));
        }
        assertFalse(Files.exists(weightless.resolve("model.safetensors")));
        gateway = new NoWorkerGateway(weightless, GatewayLimits.DEFAULT, HttpSettings.DEFAULT);
    }

    @AfterAll
    void stop() throws Exception {
        gateway.close();
    }

    private HttpResponse<String> post(String path, JsonNode body) throws Exception {
        return Http.postJson("http://127.0.0.1:" + gateway.port() + path, body.toString());
    }

    @Test
    void rowsTokenizeToTheReferenceIdsWithoutAnyWorker() throws Exception {
        for (JsonNode c : Fixtures.nbceCases("tiny-llama")) {
            List<String> texts = Fixtures.strings(c.get("row_texts"));
            for (int r = 0; r < texts.size(); r++) {
                ObjectNode body = Json.MAPPER.createObjectNode().put("prompt", texts.get(r)).put("add_special_tokens", false);
                HttpResponse<String> response = post("/tokenize", body);
                assertEquals(200, response.statusCode(), response.body());
                JsonNode out = Json.MAPPER.readTree(response.body());
                assertArrayEquals(Fixtures.ints(c.get("row_input_ids").get(r)), Fixtures.ints(out.get("tokens")));
                assertEquals(out.get("tokens").size(), out.get("count").asInt());
                assertEquals(Fixtures.readJson(Fixtures.tinyLlama().resolve("config.json")).get("max_position_embeddings").asInt(),
                        out.get("max_model_len").asInt());
            }
            ObjectNode conversation = Json.MAPPER.createObjectNode();
            conversation.putArray("messages").addObject().put("role", "user").put("content", c.get("question").asText());
            JsonNode rendered = Json.MAPPER.readTree(post("/tokenize", conversation).body());
            assertArrayEquals(Fixtures.ints(c.get("row_input_ids").get(0)), Fixtures.ints(rendered.get("tokens")), "row 0 is the bare question");

            ObjectNode back = Json.MAPPER.createObjectNode();
            back.set("tokens", c.get("row_input_ids").get(0));
            assertEquals(texts.get(0), Json.MAPPER.readTree(post("/detokenize", back).body()).get("prompt").asText());
        }
    }

    @Test
    void badInputIsA400NamingTheField() throws Exception {
        ObjectNode both = Json.MAPPER.createObjectNode().put("prompt", "x");
        both.putArray("messages");
        assertEquals(400, post("/tokenize", both).statusCode());
        assertEquals(400, post("/tokenize", Json.MAPPER.createObjectNode().put("prompt", 3)).statusCode());
        assertEquals(400, post("/tokenize", Json.MAPPER.createObjectNode().put("prompt", "x").put("nope", 1)).statusCode());
        ObjectNode badRole = Json.MAPPER.createObjectNode();
        badRole.putArray("messages").addObject().put("role", 7).put("content", "hi");
        assertEquals(400, post("/tokenize", badRole).statusCode());
        ObjectNode outOfRange = Json.MAPPER.createObjectNode();
        outOfRange.putArray("tokens").add(1).add(1 << 30);
        HttpResponse<String> response = post("/detokenize", outOfRange);
        assertEquals(400, response.statusCode());
        assertEquals("bad_request", Json.MAPPER.readTree(response.body()).get("error").get("code").asText());
    }
}
