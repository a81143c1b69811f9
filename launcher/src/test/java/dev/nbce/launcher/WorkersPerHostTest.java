package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.gateway.request.Json;
import dev.nbce.common.testing.Http;
import dev.nbce.common.testing.StartsCluster;
import dev.nbce.common.testing.StartsProcesses;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Several `nbce worker` processes on one host (one per GPU) start with no port configuration: each
 * metrics server takes the next free port from 9100 and the gateway's /ready lists where each really
 * listens; a port that is configured but taken stops the worker with one line naming port and setting.
 */
@StartsCluster
@StartsProcesses
class WorkersPerHostTest {
    private final List<WorkerProcess> processes = new ArrayList<>();
    private TestCluster cluster;

    @AfterEach
    void stop() throws Exception {
        for (WorkerProcess p : processes) {
            p.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void threeUnconfiguredWorkersShareAHostAndATakenPortIsAClearError() throws Exception {
        cluster = new TestCluster(Fixtures.tinyLlama(), "tiny-llama", 0, Map.of());
        for (int i = 0; i < 3; i++) {
            processes.add(WorkerProcess.start(cluster.settings(), Fixtures.tinyLlama(), "tiny-llama", "host-worker-" + i,
                    List.of(), Map.of()));
        }
        try {
            cluster.gateway().awaitWorkers(3, 180_000);
        } catch (IllegalStateException e) {
            processes.forEach(p -> System.err.println("--- " + p.workerId() + " ---\n" + p.log()));
            throw e;
        }

        HttpResponse<String> ready = Http.get(cluster.baseUrl() + "/ready");
        assertEquals(200, ready.statusCode(), ready.body());
        JsonNode workers = Json.MAPPER.readTree(ready.body()).get("workers");
        assertEquals(3, workers.size(), ready.body());
        Set<Integer> ports = new HashSet<>();
        for (JsonNode worker : workers) {
            URI metrics = URI.create(worker.get("metrics").asText());
            assertTrue(metrics.getPort() >= 9100, "auto ports count up from 9100: " + metrics);
            ports.add(metrics.getPort());
            HttpResponse<String> scrape = Http.get(metrics.toString());
            assertEquals(200, scrape.statusCode());
            assertTrue(scrape.body().contains("nbce_rows_active"), "the advertised address is that worker's metrics");
        }
        assertEquals(3, ports.size(), "each worker its own port: " + ready.body());
        for (WorkerProcess p : processes) {
            assertTrue(p.log().contains("(bound 0.0.0.0:"), "the ready line names the bound address:\n" + p.log());
        }

        int taken = ports.iterator().next();
        WorkerProcess clash = WorkerProcess.start(cluster.settings(), Fixtures.tinyLlama(), "tiny-llama", "clash",
                List.of(), Map.of("NBCE_METRICS_PORT", Integer.toString(taken)));
        processes.add(clash);
        assertTrue(clash.waitForExit(90), "a worker whose configured port is taken exits");
        assertNotEquals(0, clash.process().exitValue());
        List<String> errors = clash.log().lines().filter(l -> l.contains("error")).toList();
        assertEquals(1, errors.size(), clash.log());
        String error = errors.get(0);
        assertTrue(error.contains("metrics port " + taken) && error.contains("NBCE_METRICS_PORT"), error);
        assertFalse(error.contains("Exception"), "no class names: " + error);
    }
}
