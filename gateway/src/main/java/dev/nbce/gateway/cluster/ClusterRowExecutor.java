package dev.nbce.gateway.cluster;

import dev.nbce.common.wire.Addresses;
import dev.nbce.common.wire.Advance;
import dev.nbce.common.wire.CloseRequest;
import dev.nbce.common.wire.GatewayLease;
import dev.nbce.common.wire.OpenRows;
import dev.nbce.common.wire.ShardStep;
import dev.nbce.common.wire.WireError;
import dev.nbce.common.wire.WorkerStatus;
import dev.nbce.gateway.session.RowExecutor;
import dev.nbce.gateway.session.SessionException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * Runs rows on clustered workers over the event bus. Every call has its own deadline, and calls
 * to a worker the registry declares dead fail at once, so a lost worker costs about one liveness
 * timeout, not the event bus's 30 s.
 */
public final class ClusterRowExecutor implements RowExecutor {
    /** Refusals that another worker might not give. */
    private static final Set<String> RETRYABLE = Set.of("capacity", "shutting_down", "unknown_request", "internal");

    private final Vertx vertx;
    private final WorkerRegistry registry;
    private final long openTimeoutMillis;
    private final long stepTimeoutMillis;
    private final LongConsumer replyBytes;
    private final String gatewayId;
    private final Map<String, Set<Promise<ShardStep>>> inFlight = new HashMap<>();

    /**
     * @param gatewayId  sent with every command: the worker leases the rows to this gateway
     * @param replyBytes told the encoded size of every report received, for the step-bytes metric
     */
    public ClusterRowExecutor(Vertx vertx, WorkerRegistry registry, String gatewayId, long openTimeoutMillis,
                              long stepTimeoutMillis, LongConsumer replyBytes) {
        this.vertx = vertx;
        this.gatewayId = gatewayId;
        this.replyBytes = replyBytes;
        this.registry = registry;
        this.openTimeoutMillis = openTimeoutMillis;
        this.stepTimeoutMillis = stepTimeoutMillis;
        registry.onDeath(this::failAllOf);
    }

    @Override
    public List<WorkerSlot> availableWorkers() {
        return registry.liveWorkers().stream()
                .map(s -> new WorkerSlot(s.workerId(), s.capacityRows() - s.activeRows(), s.capacityRows()))
                .toList();
    }

    @Override
    public Future<ShardStep> open(String workerId, OpenRows open) {
        return call(workerId, open, openTimeoutMillis);
    }

    @Override
    public Future<ShardStep> advance(String workerId, Advance advance) {
        return call(workerId, advance, stepTimeoutMillis);
    }

    @Override
    public void close(String workerId, String requestId) {
        vertx.eventBus().send(Addresses.worker(workerId), new CloseRequest(requestId),
                new DeliveryOptions().addHeader(GatewayLease.HEADER, gatewayId));
    }

    private Future<ShardStep> call(String workerId, Object command, long timeoutMillis) {
        Promise<ShardStep> promise = Promise.promise();
        if (!registry.isLive(workerId)) {
            promise.fail(new SessionException("worker_lost", "worker " + workerId + " is gone", true));
            return promise.future();
        }
        inFlight.computeIfAbsent(workerId, w -> new HashSet<>()).add(promise);
        vertx.eventBus().<ShardStep>request(Addresses.worker(workerId), command,
                        new DeliveryOptions().setSendTimeout(timeoutMillis).addHeader(GatewayLease.HEADER, gatewayId))
                .onComplete(reply -> {
                    Set<Promise<ShardStep>> pending = inFlight.get(workerId);
                    if (pending != null) {
                        pending.remove(promise);
                    }
                    if (reply.succeeded()) {
                        replyBytes.accept(reply.result().body().wireBytes());
                        promise.tryComplete(reply.result().body());
                    } else {
                        promise.tryFail(toSessionException(workerId, reply.cause()));
                    }
                });
        return promise.future();
    }

    private void failAllOf(String workerId) {
        Set<Promise<ShardStep>> pending = inFlight.remove(workerId);
        if (pending != null) {
            SessionException lost = new SessionException("worker_lost", "worker " + workerId + " stopped responding", true);
            pending.forEach(p -> p.tryFail(lost));
        }
    }

    private static SessionException toSessionException(String workerId, Throwable cause) {
        if (cause instanceof ReplyException reply) {
            if (reply.failureType() == ReplyFailure.RECIPIENT_FAILURE && reply.failureCode() == WireError.FAILURE_CODE) {
                WireError error = WireError.decode(reply.getMessage());
                return new SessionException(error.code(), error.message(), RETRYABLE.contains(error.code()));
            }
            if (reply.failureType() == ReplyFailure.TIMEOUT) {
                return new SessionException("worker_timeout", "worker " + workerId + " missed its step deadline", true);
            }
            return new SessionException("worker_lost", "worker " + workerId + " is unreachable", true);
        }
        return new SessionException("internal", SessionException.describe(cause), true);
    }

    /** Live workers with their status, for the registry endpoint and metrics. */
    public List<WorkerStatus> workers() {
        return registry.liveWorkers();
    }
}
