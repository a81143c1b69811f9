package dev.nbce.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.common.request.NbceParams;
import dev.nbce.common.request.StepParams;
import dev.nbce.common.wire.Addresses;
import dev.nbce.common.wire.Advance;
import dev.nbce.common.wire.CloseRequest;
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
 * announces no capacity and refuses steps as retryable.
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

    private ShardStep request(Object command) throws Exception {
        return await(vertx.eventBus().<ShardStep>request(Addresses.worker("w-test"), command)
                .map(m -> m.body()).toCompletionStage().toCompletableFuture());
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> future) throws Exception {
        return future.get(30, TimeUnit.SECONDS);
    }
}
