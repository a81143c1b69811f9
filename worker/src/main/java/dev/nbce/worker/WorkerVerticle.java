package dev.nbce.worker;

import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;
import dev.nbce.common.wire.Addresses;
import dev.nbce.common.wire.Advance;
import dev.nbce.common.wire.CloseRequest;
import dev.nbce.common.wire.GatewayLease;
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
 * announcements double as the heartbeat the gateway's liveness tracking watches, so they stop while
 * the engine is unhealthy. Rows are leased to the gateway that opened them ({@link RowLeases}): the
 * rows of a gateway that stops renewing are freed.
 */
public final class WorkerVerticle extends VerticleBase {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(WorkerVerticle.class);

    private final String workerId;
    private final String model;
    private final RowEngine engine;
    private final long announceMillis;
    private final String metricsUrl;
    private final EngineWatchdog watchdog;
    private final OpenTracing tracing;
    private final RowLeases leases = new RowLeases();
    private volatile boolean draining;
    private boolean reportedUnhealthy;
    private MessageConsumer<Object> consumer;
    private MessageConsumer<GatewayLease> leaseConsumer;
    private long announceTimer;

    /** @param metricsUrl where this worker's /metrics really listens, announced to the gateways (may be null) */
    public WorkerVerticle(String workerId, String model, RowEngine engine, long announceMillis, String metricsUrl) {
        this(workerId, model, engine, announceMillis, metricsUrl,
                new EngineWatchdog(engine, EngineWatchdog.DEFAULT_STALL_MILLIS));
    }

    /** @param watchdog decides whether the engine still serves: announcements and steps stop when it says no */
    public WorkerVerticle(String workerId, String model, RowEngine engine, long announceMillis, String metricsUrl,
                          EngineWatchdog watchdog) {
        this(workerId, model, engine, announceMillis, metricsUrl, watchdog, OpenTracing.NONE);
    }

    /** @param tracing spans around traced opens ({@link OpenTracing#NONE}: none) */
    public WorkerVerticle(String workerId, String model, RowEngine engine, long announceMillis, String metricsUrl,
                          EngineWatchdog watchdog, OpenTracing tracing) {
        this.tracing = tracing;
        this.workerId = workerId;
        this.model = model;
        this.engine = engine;
        this.announceMillis = announceMillis;
        this.metricsUrl = metricsUrl;
        this.watchdog = watchdog;
    }

    public String workerId() {
        return workerId;
    }

    @Override
    public Future<?> start() {
        WireCodecs.registerAll(vertx.eventBus());
        consumer = vertx.eventBus().consumer(Addresses.worker(workerId), this::handle);
        leaseConsumer = vertx.eventBus().<GatewayLease>consumer(Addresses.GATEWAY_LEASES, m -> onLease(m.body()));
        announceTimer = vertx.setPeriodic(0, announceMillis, id -> {
            closeAll(leases.expire(System.nanoTime()), "lease_expired");
            announce();
        });
        return Future.all(consumer.completion(), leaseConsumer.completion());
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
        return Future.all(consumer.unregister(), leaseConsumer.unregister());
    }

    private void handle(Message<Object> message) {
        Object body = message.body();
        String gateway = message.headers().get(GatewayLease.HEADER);
        if (gateway != null) {
            leases.touch(gateway, GatewayLease.DEFAULT_LEASE_MILLIS, System.nanoTime());
        }
        if (body instanceof CloseRequest close) {
            leases.release(close.requestId());
            engine.close(close.requestId());
            return;
        }
        String problem = watchdog.problem();
        if (problem != null && (body instanceof OpenRows || body instanceof Advance)) {
            // Retryable: the gateway moves the rows to a worker whose engine runs.
            fail(message, new WireError(ErrorCode.INTERNAL, "worker " + workerId + " is unhealthy: " + problem));
            return;
        }
        if (draining && (body instanceof OpenRows || body instanceof Advance)) {
            fail(message, new WireError(ErrorCode.SHUTTING_DOWN, "worker " + workerId + " is shutting down"));
            return;
        }
        CompletableFuture<ShardStep> reply;
        if (body instanceof OpenRows open) {
            boolean newClaim = gateway != null && leases.ownerOf(open.requestId()) == null;
            if (gateway != null && !leases.claim(open.requestId(), gateway)) {
                fail(message, new WireError(ErrorCode.DUPLICATE_REQUEST, "request id " + open.requestId()
                        + " is already held here for another gateway"));
                return;
            }
            reply = engine.open(open);
            if (!open.traceparent().isEmpty()) {
                OpenTracing.Span span = tracing.opening(workerId, open);
                reply.whenComplete((step, error) -> span.ended(error));
            }
            if (newClaim) {
                // A refused first open (capacity, bad input) left no rows here: forget its owner again.
                reply.whenComplete((step, error) -> {
                    if (error != null) {
                        context.runOnContext(v -> leases.release(open.requestId()));
                    }
                });
            }
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

    private void onLease(GatewayLease lease) {
        if (lease.leaving()) {
            closeAll(leases.releaseGateway(lease.gatewayId()), "gateway_left");
        } else {
            leases.renew(lease.gatewayId(), lease.leaseMillis(), System.nanoTime());
        }
    }

    private void closeAll(java.util.List<String> requestIds, String why) {
        if (!requestIds.isEmpty()) {
            LOG.warn("event={} worker={} requests={} ids={}", why, workerId, requestIds.size(), requestIds);
            requestIds.forEach(engine::close);
        }
    }

    private void announce() {
        String problem = watchdog.problem();
        if (problem != null) {
            // Silence is what the gateways' liveness tracking reads as "gone": no rows come here any more.
            if (!reportedUnhealthy) {
                LOG.error("worker {} is unhealthy, announcements stop: {}", workerId, problem);
                reportedUnhealthy = true;
            }
            return;
        }
        reportedUnhealthy = false;
        int capacity = draining ? 0 : engine.capacityRows();
        int freeKvTokens = draining ? 0 : engine.freeKvTokens();
        vertx.eventBus().publish(Addresses.WORKER_ANNOUNCE,
                new WorkerStatus(workerId, model, capacity, engine.activeRows(), Addresses.worker(workerId), metricsUrl,
                        engine.prefixDigest(), engine.capacityKvTokens(), freeKvTokens));
    }

    private static void fail(Message<Object> message, WireError error) {
        message.fail(WireError.FAILURE_CODE, error.encode());
    }
}
