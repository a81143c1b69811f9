package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.common.testing.StartsCluster;
import dev.nbce.common.testing.StartsProcesses;
import dev.nbce.common.testing.WsClient;
import dev.nbce.launcher.cluster.ClusterSettings;
import dev.nbce.launcher.cluster.WorkerNode;
import dev.nbce.worker.engine.EngineLimits;
import dev.nbce.worker.model.DeviceSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Gateways in processes of their own over three workers with a small row budget: a gateway killed
 * with SIGKILL loses its rows within the lease, two gateways share the workers without mixing their
 * requests, and a gateway stopped with SIGTERM drains without losing a request.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@StartsCluster
@StartsProcesses
class GatewayLifecycleTest {
    private static final int CAPACITY = 16;
    private static final int LEASE_MILLIS = 3000;

    private final ClusterSettings cluster =
            ClusterSettings.loopback("nbce-gw-test-" + UUID.randomUUID(), ClusterSettings.freeSeedPort());
    private final List<WorkerNode> workers = new ArrayList<>();
    private final List<GatewayProcess> gateways = new ArrayList<>();

    @BeforeAll
    void startWorkers() throws Exception {
        EngineLimits d = EngineLimits.DEFAULT;
        for (int i = 0; i < 3; i++) {
            workers.add(WorkerNode.start(cluster, Fixtures.tinyLlama(), "tiny-llama", DeviceSpec.cpu(),
                    new EngineLimits(CAPACITY, d.maxBatchTokens(), d.maxAttentionCells(), d.batchWaitNanos()),
                    "worker-" + i, 0));
        }
    }

    @AfterEach
    void stopGateways() throws Exception {
        for (GatewayProcess g : gateways) {
            g.close();
        }
        gateways.clear();
    }

    @AfterAll
    void stopWorkers() throws Exception {
        for (WorkerNode w : workers) {
            w.close();
        }
    }

    private GatewayProcess startGateway(Map<String, String> env) throws Exception {
        GatewayProcess g = GatewayProcess.start(cluster, Fixtures.tinyLlama(), "tiny-llama", env);
        gateways.add(g);
        return g;
    }

    @Test
    void aKilledGatewaysRowsAreFreedWithinTheLease() throws Exception {
        GatewayProcess gateway = startGateway(Map.of("NBCE_LEASE_MS", Integer.toString(LEASE_MILLIS)));
        try (WsClient ws = new WsClient(gateway.baseUrl())) {
            ws.send(WsClient.generateFrame("long", ClusterExactnessTest.longRequest(300)));
            for (int i = 0; i < 3; i++) {
                JsonNode frame = ws.next(60);
                assertEquals("token", frame.get("type").asText(), frame.toString());
            }
            assertTrue(scrapedRowsActive() > 0, "the stream holds rows on the workers");
            long killedAt = System.nanoTime();
            gateway.kill();
            long deadline = killedAt + TimeUnit.MILLISECONDS.toNanos(LEASE_MILLIS + 2000);
            while (scrapedRowsActive() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            long freedMillis = (System.nanoTime() - killedAt) / 1_000_000;
            assertEquals(0, scrapedRowsActive(), "every worker's nbce_rows_active is 0 within the lease + 2 s");
            System.out.printf("gateway kill -9 -> rows freed on every worker after %d ms (lease %d ms)%n",
                    freedMillis, LEASE_MILLIS);
        }
    }

    @Test
    void twoGatewaysShareTheWorkersWithoutMixingRequests() throws Exception {
        GatewayProcess a = startGateway(Map.of());
        GatewayProcess b = startGateway(Map.of());
        List<ObjectNode> distinct = mixedRequests();
        List<JsonNode> alone = new ArrayList<>();
        for (ObjectNode request : distinct) {
            alone.add(ClusterExactnessTest.postGenerate(a.baseUrl(), request).get("token_ids"));
        }
        int[] most = new int[workers.size()];
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                for (int w = 0; w < most.length; w++) {
                    most[w] = Math.max(most[w], workers.get(w).engine().activeRows());
                }
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.start();
        int total = 40;
        try (WsClient a1 = new WsClient(a.baseUrl()); WsClient a2 = new WsClient(a.baseUrl());
             WsClient b1 = new WsClient(b.baseUrl()); WsClient b2 = new WsClient(b.baseUrl())) {
            WsClient[] sockets = {a1, b1, a2, b2};
            for (int i = 0; i < total; i++) {
                sockets[i % sockets.length].send(WsClient.generateFrame("r" + i, distinct.get(i % distinct.size())));
            }
            for (int i = 0; i < total; i++) {
                List<JsonNode> frames = sockets[i % sockets.length].until("r" + i, 180);
                JsonNode last = frames.get(frames.size() - 1);
                assertEquals("done", last.get("type").asText(), "r" + i + ": " + last);
                assertEquals(alone.get(i % distinct.size()), last.get("result").get("token_ids"),
                        "r" + i + " through gateway " + (i % 2 == 0 ? "a" : "b") + " equals the request alone");
            }
        } finally {
            sampling.set(false);
            sampler.join();
        }
        for (int w = 0; w < most.length; w++) {
            assertTrue(most[w] <= CAPACITY, "worker-" + w + " held " + most[w] + " rows, budget " + CAPACITY);
        }
        assertTrue(awaitNoRows(10_000), "rows freed after every request ended");
        System.out.printf("two gateways: %d concurrent requests identical to alone; most rows held per worker %s (budget %d)%n",
                total, java.util.Arrays.toString(most), CAPACITY);
    }

    @Test
    void aTerminatedGatewayDrainsAndLosesNoRequest() throws Exception {
        GatewayProcess a = startGateway(Map.of("NBCE_DRAIN_SECONDS", "4"));
        GatewayProcess b = startGateway(Map.of());
        List<ObjectNode> requests = mixedRequests();
        List<JsonNode> expected = new ArrayList<>();
        for (ObjectNode request : requests) {
            expected.add(ClusterExactnessTest.postGenerate(b.baseUrl(), request).get("token_ids"));
        }
        ObjectNode longRequest = ClusterExactnessTest.longRequest(300);
        JsonNode longExpected = ClusterExactnessTest.postGenerate(b.baseUrl(), longRequest).get("token_ids");

        Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        List<String> problems = new CopyOnWriteArrayList<>();
        AtomicInteger completed = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(5);
        List<Future<?>> running = new ArrayList<>();
        running.add(clients.submit(() -> runWithRetry(a, b, "long", longRequest, longExpected, outcomes, problems, completed)));
        for (int t = 0; t < 4; t++) {
            int thread = t;
            running.add(clients.submit(() -> {
                for (int k = 0; k < 6; k++) {
                    int i = (thread * 6 + k) % requests.size();
                    runWithRetry(a, b, "t" + thread + "-" + k, requests.get(i), expected.get(i), outcomes, problems, completed);
                }
                return null;
            }));
        }
        while (completed.get() < 4) {
            Thread.sleep(20);
        }
        long termAt = System.nanoTime();
        a.terminate();
        while (a.readyStatus() == 200 && System.nanoTime() - termAt < TimeUnit.SECONDS.toNanos(5)) {
            Thread.sleep(10);
        }
        long unreadyMillis = (System.nanoTime() - termAt) / 1_000_000;
        for (Future<?> f : running) {
            f.get(180, TimeUnit.SECONDS);
        }
        clients.shutdown();
        assertTrue(a.waitForExit(30), "the drained gateway exits");
        long exitMillis = (System.nanoTime() - termAt) / 1_000_000;
        assertTrue(unreadyMillis < 3000, "/ready turns 503 at once after SIGTERM, took " + unreadyMillis + " ms");
        assertEquals(List.of(), problems, "no request lost, every result exact");
        assertEquals(25, completed.get(), "every request completed");
        assertTrue(outcomes.getOrDefault("refused_then_retried", new AtomicInteger()).get() > 0,
                "new requests sent to the draining gateway are refused with the retryable code: " + outcomes);
        assertTrue(a.log().contains("drained"), a.log());
        assertTrue(awaitNoRows(10_000), "the drained gateway's rows are closed");
        System.out.printf("gateway SIGTERM: /ready 503 after %d ms, exit after %d ms; outcomes %s%n",
                unreadyMillis, exitMillis, outcomes);
    }

    /**
     * A client that retries on the documented retryable error: it sends to {@code a} until that gateway
     * refuses, ends a stream with shutting_down, or closes its socket before accepting; then to {@code b}.
     */
    private static Void runWithRetry(GatewayProcess a, GatewayProcess b, String id, ObjectNode request, JsonNode expected,
                                     Map<String, AtomicInteger> outcomes, List<String> problems, AtomicInteger completed)
            throws Exception {
        for (GatewayProcess target : List.of(a, b)) {
            WsClient ws;
            try {
                ws = new WsClient(target.baseUrl());
                ws.send(WsClient.generateFrame(id, request));
            } catch (Exception refusedConnection) {
                count(outcomes, "connection_refused_then_retried");
                continue;
            }
            try (ws) {
                List<JsonNode> frames;
                try {
                    frames = ws.until(id, 60);
                } catch (AssertionError silent) {
                    problems.add(id + " on " + (target == a ? "a" : "b") + ": stream lost (" + silent.getMessage() + ")");
                    return null;
                }
                JsonNode last = frames.get(frames.size() - 1);
                boolean started = frames.size() > 1;
                if (last.get("type").asText().equals("done")) {
                    count(outcomes, (target == a ? "finished_on_a" : "finished_on_b"));
                    if (!expected.equals(last.get("result").get("token_ids"))) {
                        problems.add(id + ": ids " + last.get("result").get("token_ids") + " != " + expected);
                    }
                    completed.incrementAndGet();
                    return null;
                }
                if (!last.path("code").asText().equals("shutting_down") || target == b) {
                    problems.add(id + ": unexpected end " + last);
                    return null;
                }
                count(outcomes, started ? "cut_by_drain_then_retried" : "refused_then_retried");
            } catch (Exception closing) {
                // closing a socket the server already closed
            }
        }
        problems.add(id + ": never completed");
        return null;
    }

    private static void count(Map<String, AtomicInteger> outcomes, String what) {
        outcomes.computeIfAbsent(what, k -> new AtomicInteger()).incrementAndGet();
    }

    /** The reference cases (both poolings, several top-p) with fewer contexts and other lengths: 8 different requests. */
    private static List<ObjectNode> mixedRequests() throws Exception {
        JsonNode cases = Fixtures.tinyLlamaReference().get("nbce");
        List<ObjectNode> requests = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            JsonNode c = cases.get(i % cases.size());
            ObjectNode request = ClusterExactnessTest.requestJson(c);
            int keep = 1 + (i * 3) % c.get("contexts").size();
            var contexts = request.putArray("contexts");
            for (int k = 0; k < keep; k++) {
                contexts.add(c.get("contexts").get(k));
            }
            request.put("max_new_tokens", 6 + (i * 5) % 14);
            requests.add(request);
        }
        return requests;
    }

    /** Sum of nbce_rows_active scraped from every worker's own /metrics. */
    private double scrapedRowsActive() throws Exception {
        double sum = 0;
        for (WorkerNode w : workers) {
            sum += PrometheusScrape.required(PrometheusScrape.fetch("http://127.0.0.1:" + w.metricsPort() + "/metrics"),
                    "nbce_rows_active");
        }
        return sum;
    }

    private boolean awaitNoRows(long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            if (workers.stream().mapToInt(w -> w.engine().activeRows()).sum() == 0) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }
}
