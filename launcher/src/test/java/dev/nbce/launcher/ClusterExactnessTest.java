package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.gateway.request.Json;
import dev.nbce.common.testing.Http;
import dev.nbce.common.testing.StartsCluster;
import dev.nbce.common.testing.WsClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Greedy ids of every tiny-llama reference case are identical through the cluster with one and
 * with three workers, over HTTP and over WebSocket; concurrent requests do not disturb each other.
 */
@StartsCluster
public class ClusterExactnessTest {
    static JsonNode reference() throws Exception {
        return Fixtures.tinyLlamaReference();
    }

    /** The request JSON of a reference case. */
    /** The first tiny-llama reference case asked for {@code maxNewTokens}: long enough to be running when a test acts. */
    public static ObjectNode longRequest(int maxNewTokens) {
        ObjectNode request = requestJson(Fixtures.tinyLlamaReference().get("nbce").get(0));
        request.put("max_new_tokens", maxNewTokens);
        return request;
    }

    public static ObjectNode requestJson(JsonNode c) {
        JsonNode p = c.get("params");
        ObjectNode request = Json.MAPPER.createObjectNode();
        request.set("contexts", c.get("contexts"));
        request.put("question", c.get("question").asText());
        request.put("max_new_tokens", p.get("max_new_tokens").asInt());
        request.put("temperature", 0);
        request.put("top_p", p.get("top_p").asDouble());
        request.putObject("nbce").put("beta", p.get("beta").asDouble()).put("eta", p.get("eta").asDouble())
                .put("pooling", p.get("pooling").asText());
        return request;
    }

    static JsonNode postGenerate(String baseUrl, JsonNode request) throws Exception {
        HttpResponse<String> response = Http.postJson(baseUrl + "/v1/generate", request.toString());
        assertEquals(200, response.statusCode(), response.body());
        return Json.MAPPER.readTree(response.body());
    }

    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    abstract static class Placement {
        TestCluster cluster;

        abstract int workers();

        @BeforeAll
        void startCluster() throws Exception {
            cluster = new TestCluster(Fixtures.tinyLlama(), "tiny-llama", workers(), Map.of());
        }

        @AfterAll
        void stopCluster() throws Exception {
            if (cluster != null) {
                cluster.close();
            }
        }

        @Test
        void httpReproducesReference() throws Exception {
            for (JsonNode c : reference().get("nbce")) {
                JsonNode result = postGenerate(cluster.baseUrl(), requestJson(c));
                assertArrayEquals(Fixtures.ints(c.get("generated_ids")),
                        Fixtures.ints(result.get("token_ids")), "token ids over HTTP");
                assertArrayEquals(ReferenceGenerationTest.expectedWindows(c),
                        Fixtures.ints(result.get("selected_windows")), "windows over HTTP");
            }
        }

        @Test
        void webSocketStreamsReference() throws Exception {
            try (WsClient ws = new WsClient(cluster.baseUrl())) {
                int n = 0;
                for (JsonNode c : reference().get("nbce")) {
                    String id = "case-" + n++;
                    ws.send(WsClient.generateFrame(id, requestJson(c)));
                    List<JsonNode> frames = ws.until(id, 60);
                    JsonNode done = frames.get(frames.size() - 1);
                    assertEquals("done", done.get("type").asText(), done.toString());
                    List<Integer> streamed = new ArrayList<>();
                    List<Integer> windows = new ArrayList<>();
                    frames.stream().filter(f -> f.get("type").asText().equals("token")).forEach(f -> {
                        streamed.add(f.get("token_id").asInt());
                        windows.add(f.get("window").asInt());
                    });
                    int[] expected = Fixtures.ints(c.get("generated_ids"));
                    assertArrayEquals(expected, streamed.stream().mapToInt(Integer::intValue).toArray(), "streamed ids");
                    assertArrayEquals(ReferenceGenerationTest.expectedWindows(c),
                            windows.stream().mapToInt(Integer::intValue).toArray(), "streamed windows");
                    assertArrayEquals(expected, Fixtures.ints(done.get("result").get("token_ids")));
                }
            }
        }

        @Test
        void concurrentRequestsGiveTheIdsTheyGiveAlone() throws Exception {
            JsonNode cases = reference().get("nbce");
            List<ObjectNode> requests = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                JsonNode c = cases.get(i % cases.size());
                ObjectNode request = requestJson(c);
                // Different window counts: drop a varying number of contexts.
                int keep = 1 + i % c.get("contexts").size();
                var contexts = request.putArray("contexts");
                for (int k = 0; k < keep; k++) {
                    contexts.add(c.get("contexts").get(k));
                }
                request.put("max_new_tokens", 8 + i % 5);
                requests.add(request);
            }
            Map<String, JsonNode> alone = new HashMap<>();
            for (int i = 0; i < requests.size(); i++) {
                alone.put("r" + i, postGenerate(cluster.baseUrl(), requests.get(i)).get("token_ids"));
            }
            // Two sockets, ten concurrent generations each (the per-connection limit is 16).
            try (WsClient first = new WsClient(cluster.baseUrl()); WsClient second = new WsClient(cluster.baseUrl())) {
                WsClient[] sockets = {first, second};
                for (int i = 0; i < requests.size(); i++) {
                    sockets[i % 2].send(WsClient.generateFrame("r" + i, requests.get(i)));
                }
                for (int i = 0; i < requests.size(); i++) {
                    List<JsonNode> frames = sockets[i % 2].until("r" + i, 120);
                    JsonNode done = frames.get(frames.size() - 1);
                    assertEquals("done", done.get("type").asText(), done.toString());
                    assertEquals(alone.get("r" + i), done.get("result").get("token_ids"), "request r" + i);
                }
            }
            assertTrue(waitForNoActiveRows(cluster, 10_000), "rows freed after every request ended");
        }
    }

    /** Polls until no worker holds rows (bounded wait, not a timing assertion). */
    static boolean waitForNoActiveRows(TestCluster cluster, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            if (cluster.activeRows() == 0) {
                return true;
            }
            Thread.sleep(20);
        }
        return cluster.activeRows() == 0;
    }

    @Nested
    class OneWorker extends Placement {
        @Override
        int workers() {
            return 1;
        }
    }

    @Nested
    class ThreeWorkers extends Placement {
        @Override
        int workers() {
            return 3;
        }
    }
}
