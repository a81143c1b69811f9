package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.gateway.request.Json;
import dev.nbce.common.testing.Http;
import dev.nbce.common.testing.StartsCluster;
import dev.nbce.common.testing.WsClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Overload gets 429 with a retry hint and nothing hangs or is lost; API keys guard the API when configured. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@StartsCluster
class AdmissionAndAuthTest {
    private static final String KEY = "test-key-123";
    private TestCluster cluster;

    @BeforeAll
    void start() throws Exception {
        cluster = new TestCluster(Fixtures.tinyLlama(), "tiny-llama", 1, Map.of(
                "NBCE_MAX_ACTIVE", "2", "NBCE_MAX_QUEUED", "2", "NBCE_API_KEYS", "other-key," + KEY));
    }

    @AfterAll
    void stop() throws Exception {
        cluster.close();
    }

    private HttpRequest.Builder generate(ObjectNode body) {
        return Http.request(cluster.baseUrl() + "/v1/generate").POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    }

    private static ObjectNode request(int maxNewTokens) throws Exception {
        ObjectNode request = ClusterExactnessTest.requestJson(Fixtures.tinyLlamaReference().get("nbce").get(0));
        request.put("max_new_tokens", maxNewTokens);
        return request;
    }

    @Test
    void overloadIsRefusedWithRetryHintAndNothingIsLost() throws Exception {
        int sent = 12;
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < sent; i++) {
            responses.add(Http.CLIENT.sendAsync(
                    generate(request(200)).header("Authorization", "Bearer " + KEY).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        int accepted = 0;
        int rejected = 0;
        for (CompletableFuture<HttpResponse<String>> future : responses) {
            HttpResponse<String> response = future.get(120, TimeUnit.SECONDS); // none hangs
            if (response.statusCode() == 200) {
                accepted++;
                assertEquals(200, Json.MAPPER.readTree(response.body()).get("token_ids").size(), "ran to max_new_tokens");
            } else {
                rejected++;
                assertEquals(429, response.statusCode(), response.body());
                assertTrue(response.headers().firstValue("Retry-After").isPresent(), "retry hint");
                assertEquals("overloaded", Json.MAPPER.readTree(response.body()).get("error").get("code").asText());
            }
        }
        System.out.printf("overload: %d sent, %d completed, %d refused with 429, 0 lost%n", sent, accepted, rejected);
        assertEquals(sent, accepted + rejected);
        assertTrue(accepted >= 4, "2 running + 2 queued are served: " + accepted);
        assertTrue(rejected >= 1, "beyond the queue requests are refused");
    }

    @Test
    void apiKeysGuardHttpAndWebSocket() throws Exception {
        HttpResponse<String> none = Http.send(generate(request(4)));
        assertEquals(401, none.statusCode());
        assertEquals("unauthorized", Json.MAPPER.readTree(none.body()).get("error").get("code").asText());
        HttpResponse<String> wrong = Http.send(generate(request(4)).header("Authorization", "Bearer nope"));
        assertEquals(401, wrong.statusCode());
        HttpResponse<String> right = Http.send(generate(request(4)).header("Authorization", "Bearer " + KEY));
        assertEquals(200, right.statusCode(), right.body());
        HttpResponse<String> health = Http.get(cluster.baseUrl() + "/health");
        assertEquals(200, health.statusCode(), "probes need no key");

        String message = WsClient.generateFrame("w", request(4));
        try (WsClient ws = new WsClient(cluster.baseUrl())) {
            ws.send(message);
            JsonNode refused = ws.next(10);
            assertEquals("unauthorized", refused.get("code").asText(), refused.toString());
            ws.send("{\"type\":\"auth\",\"api_key\":\"" + KEY + "\"}");
            ws.send(message);
            List<JsonNode> frames = ws.until("w", 30);
            assertEquals("done", frames.get(frames.size() - 1).get("type").asText(), frames.toString());
        }
        // One try per socket: a wrong key closes it with 1008.
        try (WsClient ws = new WsClient(cluster.baseUrl())) {
            ws.send("{\"type\":\"auth\",\"api_key\":\"wrong\"}");
            assertEquals("unauthorized", ws.next(10).get("code").asText());
            assertEquals(1008, ws.closed().get(10, java.util.concurrent.TimeUnit.SECONDS));
        }
        // A key in the URL is not a key: URLs end up in proxy logs.
        try (WsClient ws = new WsClient(cluster.baseUrl() + "/?api_key=" + KEY)) {
            ws.send(message);
            assertEquals("unauthorized", ws.next(10).get("code").asText());
        }
    }
}
