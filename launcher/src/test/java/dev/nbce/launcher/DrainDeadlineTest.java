package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.common.testing.StartsCluster;
import dev.nbce.common.testing.WsClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A stream still running when the gateway's drain grace ends is ended with the retryable
 * {@code shutting_down}, never with a {@code done} that passes its cut-off answer off as complete.
 */
@StartsCluster
class DrainDeadlineTest {
    @Test
    void aStreamCutByTheDrainDeadlineEndsWithShuttingDown() throws Exception {
        try (TestCluster cluster = new TestCluster(Fixtures.tinyLlama(), "tiny-llama", 1, Map.of());
             WsClient ws = new WsClient(cluster.baseUrl())) {
            ws.send(WsClient.generateFrame("long", ClusterExactnessTest.longRequest(400)));
            assertEquals("token", ws.next(60).get("type").asText(), "the stream runs");
            cluster.gateway().backend().service().drain(Duration.ofMillis(200))
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            List<JsonNode> frames = ws.until("long", 30);
            JsonNode last = frames.get(frames.size() - 1);
            assertEquals("error", last.get("type").asText(), last.toString());
            assertEquals("shutting_down", last.get("code").asText(), last.toString());
            assertTrue(frames.size() - 1 < 400, "cut before the end: " + (frames.size() - 1) + " tokens");
        }
    }
}
