package dev.nbce.worker;

import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;
import dev.nbce.common.wire.Addresses;
import dev.nbce.common.wire.Advance;
import dev.nbce.common.wire.CloseRequest;
import dev.nbce.common.wire.OpenRows;
import dev.nbce.common.wire.ShardStep;
import dev.nbce.common.wire.WireCodecs;
import dev.nbce.common.wire.WireError;
import dev.nbce.common.wire.WorkerStatus;
import dev.nbce.worker.engine.RowEngine;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.concurrent.CompletableFuture;

/**
 * Thin event-bus front of a worker: decodes commands, hands them to the {@link RowEngine} (which
 * runs inference on its own thread), replies with the report. Announces itself periodically; the
 * announcements double as the heartbeat the gateway's liveness tracking watches.
 */
public final class WorkerVerticle extends VerticleBase {
    private final String workerId;
    private final String model;
    private final RowEngine engine;
    private final long announceMillis;
    private final String metricsUrl;
    private volatile boolean draining;
    private MessageConsumer<Object> consumer;
    private long announceTimer;

    /** @param metricsUrl where this worker's /metrics really listens, announced to the gateways (may be null) */
    public WorkerVerticle(String workerId, String model, RowEngine engine, long announceMillis, String metricsUrl) {
        this.workerId = workerId;
        this.model = model;
        this.engine = engine;
        this.announceMillis = announceMillis;
        this.metricsUrl = metricsUrl;
    }

    public String workerId() {
        return workerId;
    }

    @Override
    public Future<?> start() {
        WireCodecs.registerAll(vertx.eventBus());
        consumer = vertx.eventBus().consumer(Addresses.worker(workerId), this::handle);
        announceTimer = vertx.setPeriodic(0, announceMillis, id -> announce());
        return consumer.completion();
    }

    /** Stops taking rows and fails further steps as retryable, so the gateway moves rows elsewhere. */
    public void drain() {
        draining = true;
        announce();
    }

    @Override
    public Future<?> stop() {
        vertx.cancelTimer(announceTimer);
        draining = true;
        announce();
        return consumer.unregister();
    }

    private void handle(Message<Object> message) {
        Object body = message.body();
        if (body instanceof CloseRequest close) {
            engine.close(close.requestId());
            return;
        }
        if (draining && (body instanceof OpenRows || body instanceof Advance)) {
            fail(message, new WireError(ErrorCode.SHUTTING_DOWN, "worker " + workerId + " is shutting down"));
            return;
        }
        CompletableFuture<ShardStep> reply;
        if (body instanceof OpenRows open) {
            reply = engine.open(open);
        } else if (body instanceof Advance advance) {
            reply = engine.advance(advance);
        } else {
            fail(message, new WireError(ErrorCode.BAD_REQUEST, "unknown command"));
            return;
        }
        // The engine completes on its own thread; reply from this verticle's context.
        reply.whenComplete((step, error) -> context.runOnContext(v -> {
            if (error == null) {
                message.reply(step);
            } else {
                fail(message, WireError.of(NbceException.of(error)));
            }
        }));
    }

    private void announce() {
        int capacity = draining ? 0 : engine.capacityRows();
        vertx.eventBus().publish(Addresses.WORKER_ANNOUNCE,
                new WorkerStatus(workerId, model, capacity, engine.activeRows(), Addresses.worker(workerId), metricsUrl,
                        engine.prefixDigest()));
    }

    private static void fail(Message<Object> message, WireError error) {
        message.fail(WireError.FAILURE_CODE, error.encode());
    }
}
