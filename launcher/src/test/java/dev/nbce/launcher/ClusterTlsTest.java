package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.common.testing.Http;
import dev.nbce.common.testing.StartsCluster;
import dev.nbce.common.testing.StartsProcesses;
import dev.nbce.common.wire.Addresses;
import dev.nbce.common.wire.WireCodecs;
import dev.nbce.common.wire.WorkerStatus;
import dev.nbce.gateway.request.Json;
import dev.nbce.launcher.cluster.ClusterCertificates;
import dev.nbce.launcher.cluster.ClusterSettings;
import dev.nbce.launcher.cluster.ClusterTls;
import dev.nbce.launcher.cluster.MetricsSetup;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, item 2: with event-bus mutual TLS, processes that join the same Hazelcast cluster name
 * without a certificate from the cluster's CA get nothing. Two rogue `nbce worker` processes (no
 * certificate; a certificate from another CA) and three in-JVM listeners on the broadcast addresses
 * (no certificate, foreign CA, and a control with the right CA) run beside a real gateway + worker.
 */
@StartsCluster
@StartsProcesses
class ClusterTlsTest {
    private static final Pattern METRICS_URL = Pattern.compile("metrics (http://\\S+/metrics)");

    @Test
    void membersWithoutTheClusterCaGetNoRowsNoPromptsAndAreNeverBelieved() throws Exception {
        Path dir = Files.createTempDirectory("nbce-tls-test");
        ClusterTls member = ClusterCertificates.authority(dir.resolve("ca"), "test CA", 30)
                .issue("member", List.of("IP:127.0.0.1"), 30);
        ClusterTls foreign = ClusterCertificates.authority(dir.resolve("other-ca"), "someone else's CA", 30)
                .issue("rogue", List.of("IP:127.0.0.1"), 30);
        ClusterSettings settings = TestCluster.newSettings().withTls(member);

        List<Vertx> listeners = new ArrayList<>();
        try (TestCluster cluster = new TestCluster(settings, Fixtures.tinyLlama(), "tiny-llama", 1, Map.of());
             WorkerProcess plain = WorkerProcess.start(settings.withTls(null), Fixtures.tinyLlama(), "tiny-llama", "rogue-plain");
             WorkerProcess otherCa = WorkerProcess.start(settings.withTls(foreign), Fixtures.tinyLlama(), "tiny-llama", "rogue-other-ca")) {
            AtomicLong plainHeard = listen(settings.withTls(null), listeners, new MetricsSetup());
            AtomicLong foreignHeard = listen(settings.withTls(foreign), listeners, new MetricsSetup());
            MetricsSetup trustedMetrics = new MetricsSetup();
            AtomicLong trustedHeard = listen(settings, listeners, trustedMetrics);
            String plainMetrics = awaitReady(plain);
            String otherCaMetrics = awaitReady(otherCa);
            // Hazelcast membership is open (open-source edition): the rogues are members...
            assertEquals(7, ((VertxInternal) cluster.gateway().vertx()).clusterManager().getNodes().size(),
                    "gateway, worker, 2 rogue workers and 3 listeners share the Hazelcast cluster");
            Thread.sleep(1_500); // several announcement periods of every worker

            // ...but every result is exact while they are there: 12 concurrent requests.
            JsonNode cases = Fixtures.tinyLlamaReference().get("nbce");
            List<JsonNode> expected = new ArrayList<>();
            List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (JsonNode c : cases) {
                    expected.add(c);
                    responses.add(Http.postJsonAsync(cluster.baseUrl() + "/v1/generate", ClusterExactnessTest.requestJson(c).toString()));
                }
            }
            for (int i = 0; i < responses.size(); i++) {
                HttpResponse<String> response = responses.get(i).get(180, TimeUnit.SECONDS);
                assertEquals(200, response.statusCode(), response.body());
                assertArrayEquals(Fixtures.ints(expected.get(i).get("generated_ids")),
                        Fixtures.ints(Json.MAPPER.readTree(response.body()).get("token_ids")));
            }

            // /ready counts the real worker only.
            JsonNode ready = Json.MAPPER.readTree(get(cluster.baseUrl() + "/ready"));
            assertEquals(1, ready.get("workers").size(), ready.toString());
            assertEquals("worker-0", ready.get("workers").get(0).get("id").asText());
            assertEquals(1, cluster.gateway().backend().registry().liveCount());

            // The rogues computed no row and read no event-bus byte; the listeners heard nothing.
            for (String metrics : List.of(get(plainMetrics), get(otherCaMetrics))) {
                assertEquals(0.0, PrometheusScrape.required(metrics, "nbce_worker_rows_computed_total"), metrics);
                assertEquals(0.0, sumOf(metrics, "vertx_eventbus_bytes_read"), metrics);
                assertEquals(0.0, sumOf(metrics, "vertx_eventbus_received"), metrics);
            }
            assertEquals(0, plainHeard.get(), "a listener without a certificate heard announcements");
            assertEquals(0, foreignHeard.get(), "a listener with a foreign CA heard announcements");
            // Control: the same listener with the cluster's CA does hear them, so the zeros above mean something.
            assertTrue(trustedHeard.get() > 0, "the control listener heard nothing");
            assertTrue(sumOf(trustedMetrics.scrape(), "vertx_eventbus_bytes_read") > 0, trustedMetrics.scrape());
            assertTrue(plain.process().isAlive() && otherCa.process().isAlive(), "the rogues stayed up the whole run");
            System.out.printf("tls-rogues: requests=%d exact=%d rogue_rows=0 rogue_eventbus_bytes=0 plain_heard=%d "
                    + "foreign_heard=%d trusted_heard=%d members=7 ready_workers=1%n", responses.size(), responses.size(),
                    plainHeard.get(), foreignHeard.get(), trustedHeard.get());
        } finally {
            for (Vertx vertx : listeners) {
                vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** A bare cluster member consuming the addresses every worker and gateway publishes to; counts what real members sent. */
    private static AtomicLong listen(ClusterSettings settings, List<Vertx> started, MetricsSetup metrics) throws Exception {
        Vertx vertx = settings.startVertx(metrics).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
        started.add(vertx);
        WireCodecs.registerAll(vertx.eventBus());
        AtomicLong heard = new AtomicLong();
        for (String address : List.of(Addresses.WORKER_ANNOUNCE, Addresses.GATEWAY_EVENTS)) {
            // Rogues sharing a (missing or foreign) CA do hear each other: count only what real members sent.
            vertx.eventBus().consumer(address, m -> {
                if (!(m.body() instanceof WorkerStatus status) || !status.workerId().startsWith("rogue-")) {
                    heard.incrementAndGet();
                }
            }).completion()
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        return heard;
    }

    /** Waits for the worker's ready line; returns its metrics URL. */
    static String awaitReady(WorkerProcess worker) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 180_000;
        while (System.currentTimeMillis() < deadline) {
            Matcher m = METRICS_URL.matcher(worker.log());
            if (m.find()) {
                return m.group(1);
            }
            if (!worker.process().isAlive()) {
                throw new AssertionError(worker.workerId() + " exited:\n" + worker.log());
            }
            Thread.sleep(200);
        }
        throw new AssertionError(worker.workerId() + " not ready in 180 s:\n" + worker.log());
    }

    static String get(String url) throws Exception {
        return Http.get(url).body();
    }

    /** Sum of every sample whose name starts with the prefix (0 when Vert.x has recorded none). */
    private static double sumOf(String metrics, String prefix) {
        return metrics.lines().filter(l -> l.startsWith(prefix))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
