package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.common.testing.Http;
import dev.nbce.common.testing.StartsCluster;
import dev.nbce.common.testing.WsClient;
import dev.nbce.launcher.cluster.WorkerNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A worker whose engine thread dies on an Error mid-stream (injected through its forward probe):
 * its /health turns 503, it stops announcing, the gateway stops placing rows there and moves the
 * stream's rows to the healthy worker, and the answer is unchanged.
 */
@StartsCluster
class EngineFailureTest {
    @Test
    void aDeadEngineMakesItsWorkerUnhealthyAndItsRowsMove() throws Exception {
        AtomicBoolean armed = new AtomicBoolean();
        try (TestCluster cluster = new TestCluster(Fixtures.tinyLlama(), "tiny-llama", 0, Map.of())) {
            cluster.addWorker();
            WorkerNode sick = cluster.addWorker(10_000, (rows, tokens, nanos) -> {
                if (armed.get()) {
                    throw new OutOfMemoryError("injected engine failure");
                }
            });
            cluster.gateway().awaitWorkers(2, 60_000);
            ObjectNode request = ClusterExactnessTest.longRequest(300);
            JsonNode expected = ClusterExactnessTest.postGenerate(cluster.baseUrl(), request).get("token_ids");
            assertEquals(200, health(sick).statusCode());

            try (WsClient ws = new WsClient(cluster.baseUrl())) {
                ws.send(WsClient.generateFrame("g", request));
                assertEquals("token", ws.next(60).get("type").asText());
                assertTrue(sick.engine().activeRows() > 0, "the stream has rows on the worker about to fail");
                long armedAt = System.nanoTime();
                armed.set(true);
                List<JsonNode> frames = ws.until("g", 60);
                JsonNode done = frames.get(frames.size() - 1);
                assertEquals("done", done.get("type").asText(), done.toString());
                assertEquals(expected, done.get("result").get("token_ids"), "rows moved off the dead engine, ids unchanged");
                System.out.printf("engine Error -> stream done after %.0f ms with identical ids%n",
                        (System.nanoTime() - armedAt) / 1e6);
            }
            HttpResponse<String> health = health(sick);
            assertEquals(503, health.statusCode(), health.body());
            assertTrue(health.body().contains("engine thread has died"), health.body());
            assertEquals(1, cluster.gateway().backend().registry().liveCount(), "the gateway no longer lists it");
            // New requests only go to the healthy worker, and still give the same ids.
            assertEquals(expected, ClusterExactnessTest.postGenerate(cluster.baseUrl(), request).get("token_ids"));
        }
    }

    private static HttpResponse<String> health(WorkerNode worker) throws Exception {
        return Http.get("http://127.0.0.1:" + worker.metricsPort() + "/health");
    }
}
