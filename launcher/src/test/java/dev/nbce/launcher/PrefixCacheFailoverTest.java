package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.common.testing.StartsCluster;
import dev.nbce.common.testing.StartsProcesses;
import dev.nbce.common.testing.WsClient;
import dev.nbce.common.wire.WorkerStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A worker killed while it holds cached prefixes: a repeated request is placed back on the workers that
 * cache its rows (their digests say so), one of them dies after the first token, the survivor takes its
 * rows (with or without their prefixes cached) and the ids equal the undisturbed run.
 */
@StartsCluster
@StartsProcesses
class PrefixCacheFailoverTest {
    @Test
    void losingAWorkerThatCachesPrefixesChangesNoId() throws Exception {
        List<WorkerProcess> workers = new ArrayList<>();
        try (TestCluster gateway = new TestCluster(Fixtures.tinyLlama(), "tiny-llama", 0, Map.of())) {
            try {
                for (String id : List.of("w-a", "w-b")) {
                    workers.add(WorkerProcess.start(gateway.settings(), Fixtures.tinyLlama(), "tiny-llama", id));
                }
                gateway.gateway().awaitWorkers(2, 90_000);
                ObjectNode request = ClusterExactnessTest.longRequest(300);
                JsonNode expected = ClusterExactnessTest.postGenerate(gateway.baseUrl(), request).get("token_ids");
                awaitDigests(gateway, 2);

                try (WsClient ws = new WsClient(gateway.baseUrl())) {
                    ws.send(WsClient.generateFrame("again", request));
                    JsonNode first = ws.next(60);
                    assertEquals("token", first.get("type").asText(), first.toString());
                    workers.get(0).kill();
                    JsonNode frame;
                    while ((frame = ws.next(60)).get("type").asText().equals("token")) {
                        // streamed on through the failover
                    }
                    assertEquals("done", frame.get("type").asText(), frame.toString());
                    assertEquals(expected, frame.get("result").get("token_ids"), "ids after losing a caching worker");
                }
            } finally {
                for (WorkerProcess w : workers) {
                    w.close();
                }
            }
        }
    }

    /** Waits until {@code n} workers announce a non-empty prefix digest (the first request's rows). */
    private static void awaitDigests(TestCluster gateway, int n) throws Exception {
        for (int i = 0; i < 200; i++) {
            long holding;
            try {
                holding = gateway.gateway().backend().registry().liveWorkers().stream()
                        .map(WorkerStatus::prefixes).filter(d -> d.bits().length > 0).count();
            } catch (RuntimeException raced) { // the registry lives on the event loop; this read may race it
                holding = 0;
            }
            if (holding >= n) {
                return;
            }
            Thread.sleep(50);
        }
        assertTrue(false, "workers never announced their cached prefixes");
    }
}
