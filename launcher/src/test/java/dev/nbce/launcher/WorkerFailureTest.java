package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.common.testing.Http;
import dev.nbce.common.testing.StartsCluster;
import dev.nbce.common.testing.StartsProcesses;
import dev.nbce.common.testing.WsClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Workers in processes of their own die (SIGKILL) or leave (SIGTERM) mid-generation: the gateway
 * notices by its own liveness tracking, re-places the lost rows with their context plus the
 * tokens generated so far, and the stream ends with the ids of an undisturbed run.
 */
@StartsCluster
@StartsProcesses
class WorkerFailureTest {
    private TestCluster gateway;
    private final List<WorkerProcess> workers = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        gateway = new TestCluster(Fixtures.tinyLlama(), "tiny-llama", 0, Map.of());
    }

    @AfterEach
    void stop() throws Exception {
        for (WorkerProcess w : workers) {
            w.close();
        }
        gateway.close();
    }

    private WorkerProcess startWorker(String id) throws Exception {
        WorkerProcess w = WorkerProcess.start(gateway.settings(), Fixtures.tinyLlama(), "tiny-llama", id);
        workers.add(w);
        return w;
    }

    private void awaitWorkers(int n) throws Exception {
        try {
            gateway.gateway().awaitWorkers(n, 90_000);
        } catch (IllegalStateException e) {
            workers.forEach(w -> System.err.println("--- " + w.workerId() + " ---\n" + w.log()));
            throw e;
        }
    }

    @Test
    void killedWorkerIsReplacedAndTheAnswerIsUnchanged() throws Exception {
        startWorker("w-a");
        startWorker("w-b");
        startWorker("w-c");
        awaitWorkers(3);
        ObjectNode request = ClusterExactnessTest.longRequest(300);
        JsonNode expected = ClusterExactnessTest.postGenerate(gateway.baseUrl(), request).get("token_ids");
        assertTrue(expected.size() > 20, "the generation must be long enough to interrupt: " + expected.size());

        try (WsClient ws = new WsClient(gateway.baseUrl())) {
            ws.send(WsClient.generateFrame("g", request));
            JsonNode first = ws.next(60);
            assertEquals("token", first.get("type").asText(), first.toString());
            long killedAt = System.nanoTime();
            workers.get(0).kill();
            // Read frame by frame: the longest silence after the kill is the failover time.
            long previous = killedAt;
            long longestGap = 0;
            long firstTokenAfterKill = -1;
            List<Integer> ids = new ArrayList<>(List.of(first.get("token_id").asInt()));
            JsonNode frame;
            while ((frame = ws.next(60)).get("type").asText().equals("token")) {
                long now = System.nanoTime();
                longestGap = Math.max(longestGap, now - previous);
                if (firstTokenAfterKill < 0) {
                    firstTokenAfterKill = now - killedAt;
                }
                previous = now;
                ids.add(frame.get("token_id").asInt());
            }
            assertEquals("done", frame.get("type").asText(), "stream must finish after the failure: " + frame);
            assertEquals(expected, frame.get("result").get("token_ids"), "ids after failover equal an undisturbed run");
            assertEquals(expected.size(), ids.size(), "every token was streamed once");
            System.out.printf("failover: kill -> next token %.0f ms; longest gap between tokens %.0f ms; %d tokens%n",
                    firstTokenAfterKill / 1e6, longestGap / 1e6, ids.size());
        }
        assertTrue(metrics().contains("nbce_row_replacements_total"), "replacements are counted");
    }

    @Test
    void noSurvivingWorkerGivesAClearError() throws Exception {
        startWorker("w-only");
        awaitWorkers(1);
        try (WsClient ws = new WsClient(gateway.baseUrl())) {
            ws.send(WsClient.generateFrame("g", ClusterExactnessTest.longRequest(300)));
            assertEquals("token", ws.next(60).get("type").asText());
            workers.get(0).kill();
            List<JsonNode> frames = ws.until("g", 30);
            JsonNode last = frames.get(frames.size() - 1);
            assertEquals("error", last.get("type").asText(), last.toString());
            assertEquals("no_workers", last.get("code").asText(), last.toString());
        }
        assertEquals(503, readyStatus(), "/ready turns 503 when no worker is left");
    }

    @Test
    void terminatedWorkerHandsItsRowsOverAndANewWorkerTakesNewRows() throws Exception {
        startWorker("w-a");
        startWorker("w-b");
        awaitWorkers(2);
        ObjectNode request = ClusterExactnessTest.longRequest(300);
        JsonNode expected = ClusterExactnessTest.postGenerate(gateway.baseUrl(), request).get("token_ids");
        try (WsClient ws = new WsClient(gateway.baseUrl())) {
            ws.send(WsClient.generateFrame("g", request));
            assertEquals("token", ws.next(60).get("type").asText());
            workers.get(0).terminate();
            List<JsonNode> frames = ws.until("g", 120);
            JsonNode done = frames.get(frames.size() - 1);
            assertEquals("done", done.get("type").asText(), done.toString());
            assertEquals(expected, done.get("result").get("token_ids"));
        }
        assertTrue(workers.get(0).waitForExit(30), "the terminated worker exits after draining");
        assertTrue(workers.get(0).log().contains("drained"), workers.get(0).log());
        // The scale-down path (an autoscaler lowering the StatefulSet's replicas sends this SIGTERM): the
        // rows moved to the other worker before this one went, none was left behind.
        assertTrue(workers.get(0).log().contains("drained and left the cluster (no rows left)"), workers.get(0).log());
        assertTrue(PrometheusScrape.sum(metrics(), "nbce_row_replacements_total") > 0, "its rows were placed again");
        assertEquals(200, readyStatus(), "one worker is left");

        // A worker that joins mid-flight gets rows of new requests.
        startWorker("w-new");
        awaitWorkers(2);
        JsonNode again = ClusterExactnessTest.postGenerate(gateway.baseUrl(), request).get("token_ids");
        assertEquals(expected, again);

        workers.get(1).terminate();
        workers.get(2).terminate();
        assertTrue(workers.get(1).waitForExit(30) && workers.get(2).waitForExit(30));
        long deadline = System.currentTimeMillis() + 10_000;
        while (readyStatus() != 503 && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(503, readyStatus(), "/ready turns 503 when the last worker leaves");
    }

    private int readyStatus() throws Exception {
        return Http.get(gateway.baseUrl() + "/ready").statusCode();
    }

    private String metrics() throws Exception {
        return Http.get(gateway.baseUrl() + "/metrics").body();
    }
}
