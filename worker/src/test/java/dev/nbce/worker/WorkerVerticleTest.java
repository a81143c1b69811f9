package dev.nbce.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.common.step.NbceParams;
import dev.nbce.common.step.Pooling;
import dev.nbce.common.step.StepParams;
import dev.nbce.common.wire.Addresses;
import dev.nbce.common.wire.Advance;
import dev.nbce.common.wire.CloseRequest;
import dev.nbce.common.wire.GatewayLease;
import dev.nbce.common.wire.OpenRows;
import dev.nbce.common.wire.RowPrompt;
import dev.nbce.common.wire.ShardStep;
import dev.nbce.common.wire.WireError;
import dev.nbce.common.wire.WorkerStatus;
import dev.nbce.worker.decoder.LlamaDecoder;
import dev.nbce.worker.engine.EngineLimits;
import dev.nbce.worker.engine.RowEngine;
import dev.nbce.worker.model.DeviceSpec;
import dev.nbce.worker.model.TestModels;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The worker verticle on its own (a local event bus, no cluster): it announces itself, answers
 * OpenRows and Advance with its shard's report, frees rows on CloseRequest, and once draining it
 * announces no capacity and refuses steps as retryable. Rows are leased to the gateway that opened
 * them; an engine that dies or wedges stops the announcements.
 */
class WorkerVerticleTest {
    private Vertx vertx;
    private LlamaDecoder decoder;
    private RowEngine engine;
    private final BlockingQueue<WorkerStatus> announcements = new LinkedBlockingQueue<>();
    private WorkerVerticle verticle;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        decoder = LlamaDecoder.load(TestModels.embeddedDemo(), DeviceSpec.cpu());
        engine = new RowEngine(decoder, new EngineLimits(8, 4096, 1L << 26, 1_000_000L), (rows, tokens, nanos) -> { });
        verticle = new WorkerVerticle("w-test", "nbce-demo", engine, 50, "http://127.0.0.1:9100/metrics");
        await(vertx.deployVerticle(verticle).toCompletionStage().toCompletableFuture());
        vertx.eventBus().<WorkerStatus>consumer(Addresses.WORKER_ANNOUNCE, m -> announcements.add(m.body()));
    }

    @AfterEach
    void stop() throws Exception {
        await(vertx.close().toCompletionStage().toCompletableFuture());
        engine.close();
        decoder.close();
    }

    @Test
    void answersStepsFreesRowsAndDrains() throws Exception {
        WorkerStatus first = announcements.poll(5, TimeUnit.SECONDS);
        assertEquals("w-test", first.workerId());
        assertEquals(8, first.capacityRows());
        assertEquals("http://127.0.0.1:9100/metrics", first.metricsUrl());

        OpenRows open = new OpenRows("req-1", new StepParams(0.95, NbceParams.DEFAULT), -1, 0,
                List.of(new RowPrompt(0, new int[] {1, 5, 9}), new RowPrompt(2, new int[] {1, 7, 7, 3})));
        ShardStep opened = request(open);
        assertEquals(0, opened.step());
        assertArrayEquals(new int[] {0, 2}, opened.report().rows());
        assertEquals(2, opened.report().bestRow());
        assertEquals(2, engine.activeRows());

        ShardStep advanced = request(new Advance("req-1", 1, 11, 2));
        assertEquals(1, advanced.step());
        assertArrayEquals(new int[] {0, 2}, advanced.report().rows());

        vertx.eventBus().send(Addresses.worker("w-test"), new CloseRequest("req-1"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (engine.activeRows() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, engine.activeRows(), "CloseRequest frees the rows");

        verticle.drain();
        WorkerStatus drained = announcements.poll(5, TimeUnit.SECONDS);
        while (drained != null && drained.capacityRows() != 0) {
            drained = announcements.poll(5, TimeUnit.SECONDS);
        }
        assertEquals(0, drained.capacityRows(), "a draining worker announces no room");
        ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> request(open));
        ReplyException reply = (ReplyException) refused.getCause();
        assertEquals(WireError.FAILURE_CODE, reply.failureCode());
        assertTrue(reply.getMessage().startsWith("shutting_down:"), "a retryable code: " + reply.getMessage());
    }

    @Test
    void rowsOfAGatewayThatStopsRenewingAreFreedAndItsIdsAreItsOwn() throws Exception {
        vertx.eventBus().publish(Addresses.GATEWAY_LEASES, new GatewayLease("gw-a", 300));
        OpenRows open = new OpenRows("gw-a-1", new StepParams(0.95, new NbceParams(0.25, 0.1, Pooling.MIN_ENTROPY)), -1, 0,
                List.of(new RowPrompt(0, new int[] {1, 5, 9}), new RowPrompt(1, new int[] {1, 7})));
        request("w-test", open, "gw-a");
        assertEquals(2, engine.activeRows());

        ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> request("w-test", open, "gw-b"));
        assertTrue(refused.getCause().getMessage().startsWith("duplicate_request:"), refused.getCause().getMessage());
        assertEquals(2, engine.activeRows(), "the refused rows were not added");

        // gw-a sends nothing more: its rows go once the lease (300 ms) has passed.
        long start = System.nanoTime();
        awaitActiveRows(0, 5_000);
        long freedMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(freedMillis >= 150, "rows must outlive most of the lease, freed after " + freedMillis + " ms");

        // A gateway that says goodbye (lease 0) has its rows freed at once, however long its lease.
        vertx.eventBus().publish(Addresses.GATEWAY_LEASES, new GatewayLease("gw-c", 60_000));
        request("w-test", new OpenRows("gw-c-1", new StepParams(0.95, new NbceParams(0.25, 0.1, Pooling.AVERAGE)), -1, 0,
                List.of(new RowPrompt(0, new int[] {3, 4}))), "gw-c");
        assertEquals(1, engine.activeRows());
        vertx.eventBus().publish(Addresses.GATEWAY_LEASES, new GatewayLease("gw-c", 0));
        awaitActiveRows(0, 2_000);
    }

    @Test
    void anEngineThatDiesOrWedgesStopsAnnouncingAndRefusesSteps() throws Exception {
        java.util.concurrent.atomic.AtomicReference<String> fault = new java.util.concurrent.atomic.AtomicReference<>("none");
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        RowEngine.ForwardObserver probe = (rows, tokens, nanos) -> {
            switch (fault.get()) {
                case "error" -> throw new StackOverflowError("injected");
                case "wedge" -> {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                default -> { }
            }
        };
        for (String kind : List.of("wedge", "error")) {
            RowEngine sick = new RowEngine(decoder, new EngineLimits(8, 4096, 1L << 26, 1_000_000L), probe);
            String id = "w-" + kind;
            WorkerVerticle verticle = new WorkerVerticle(id, "nbce-demo", sick, 50, null, new EngineWatchdog(sick, 300));
            String deployment = await(vertx.deployVerticle(verticle).toCompletionStage().toCompletableFuture());
            try {
                OpenRows open = new OpenRows(kind + "-1", new StepParams(0.95, new NbceParams(0.25, 0.1, Pooling.MIN_ENTROPY)), -1, 0,
                        List.of(new RowPrompt(0, new int[] {1, 5, 9})));
                request(id, open, "gw-a");
                assertTrue(announcedWithin(id, 2_000), id + " announces while healthy");
                fault.set(kind);
                // The step never gets an answer: the engine is gone or stuck inside the forward.
                vertx.eventBus().request(Addresses.worker(id), new Advance(open.requestId(), 1, 11, 0));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (verticleHealthy(sick) && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertTrue(!verticleHealthy(sick), id + ": the watchdog notices");
                Thread.sleep(100);
                assertTrue(!announcedWithin(id, 500), id + ": no announcements from an unhealthy engine");
                ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                        () -> request(id, new OpenRows(kind + "-2", new StepParams(0.95, new NbceParams(0.25, 0.1, Pooling.MIN_ENTROPY)), -1, 0,
                                List.of(new RowPrompt(0, new int[] {2}))), "gw-a"));
                assertTrue(refused.getCause().getMessage().startsWith("internal:") && refused.getCause().getMessage()
                        .contains("unhealthy"), refused.getCause().getMessage());
            } finally {
                fault.set("none");
                release.countDown();
                await(vertx.undeploy(deployment).toCompletionStage().toCompletableFuture());
                sick.close();
            }
        }
    }

    private static boolean verticleHealthy(RowEngine engine) {
        return new EngineWatchdog(engine, 300).problem() == null;
    }

    /** True when {@code workerId} announces itself within {@code millis} (announcements older than now are skipped). */
    private boolean announcedWithin(String workerId, long millis) throws InterruptedException {
        announcements.clear();
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < deadline) {
            WorkerStatus status = announcements.poll(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
            if (status != null && status.workerId().equals(workerId)) {
                return true;
            }
        }
        return false;
    }

    private void awaitActiveRows(int rows, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (engine.activeRows() != rows && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(rows, engine.activeRows());
    }

    private ShardStep request(String workerId, Object command, String gatewayId) throws Exception {
        return await(vertx.eventBus().<ShardStep>request(Addresses.worker(workerId), command,
                        new DeliveryOptions().addHeader(GatewayLease.HEADER, gatewayId))
                .map(m -> m.body()).toCompletionStage().toCompletableFuture());
    }

    private ShardStep request(Object command) throws Exception {
        return await(vertx.eventBus().<ShardStep>request(Addresses.worker("w-test"), command)
                .map(m -> m.body()).toCompletionStage().toCompletableFuture());
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> future) throws Exception {
        return future.get(30, TimeUnit.SECONDS);
    }
}
