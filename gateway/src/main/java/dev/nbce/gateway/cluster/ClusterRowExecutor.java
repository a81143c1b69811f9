package dev.nbce.gateway.cluster;

import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;
import dev.nbce.common.wire.Addresses;
import dev.nbce.common.wire.Advance;
import dev.nbce.common.wire.CloseRequest;
import dev.nbce.common.wire.GatewayLease;
import dev.nbce.common.wire.OpenRows;
import dev.nbce.common.wire.ShardStep;
import dev.nbce.common.wire.WireError;
import dev.nbce.common.wire.WorkerStatus;
import dev.nbce.gateway.session.RowExecutor;
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

/**
 * Runs rows on clustered workers over the event bus. Every call has its own deadline, and calls
 * to a worker the registry declares dead fail at once, so a lost worker costs about one liveness
 * timeout, not the event bus's 30 s.
 */
public final class ClusterRowExecutor implements RowExecutor {
    private final Vertx vertx;
    private final WorkerRegistry registry;
    private final long openTimeoutMillis;
    private final long stepTimeoutMillis;
    private final String gatewayId;
    private final Map<String, Set<Promise<ShardStep>>> inFlight = new HashMap<>();

    /** @param gatewayId sent with every command: the worker leases the rows to this gateway */
    public ClusterRowExecutor(Vertx vertx, WorkerRegistry registry, String gatewayId, long openTimeoutMillis,
                              long stepTimeoutMillis) {
        this.vertx = vertx;
        this.gatewayId = gatewayId;
        this.registry = registry;
        this.openTimeoutMillis = openTimeoutMillis;
        this.stepTimeoutMillis = stepTimeoutMillis;
        registry.onDeath(this::failAllOf);
    }

    @Override
    public List<WorkerSlot> availableWorkers() {
        return registry.liveWorkers().stream()
                .map(s -> new WorkerSlot(s.workerId(), s.capacityRows(), s.capacityRows() - s.activeRows(), s.prefixes(),
                        s.capacityKvTokens(), s.freeKvTokens()))
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
            promise.fail(new NbceException(ErrorCode.WORKER_LOST, "worker " + workerId + " is gone"));
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
                        promise.tryComplete(reply.result().body());
                    } else {
                        promise.tryFail(toNbceException(workerId, reply.cause()));
                    }
                });
        return promise.future();
    }

    private void failAllOf(String workerId) {
        Set<Promise<ShardStep>> pending = inFlight.remove(workerId);
        if (pending != null) {
            NbceException lost = new NbceException(ErrorCode.WORKER_LOST, "worker " + workerId + " stopped responding");
            pending.forEach(p -> p.tryFail(lost));
        }
    }

    /** What the event bus says went wrong, as the code the step loop acts on. */
    private static NbceException toNbceException(String workerId, Throwable cause) {
        if (cause instanceof ReplyException reply) {
            if (reply.failureType() == ReplyFailure.RECIPIENT_FAILURE && reply.failureCode() == WireError.FAILURE_CODE) {
                return WireError.decode(reply.getMessage()).toException();
            }
            if (reply.failureType() == ReplyFailure.TIMEOUT) {
                return new NbceException(ErrorCode.WORKER_TIMEOUT, "worker " + workerId + " missed its step deadline");
            }
            return new NbceException(ErrorCode.WORKER_LOST, "worker " + workerId + " is unreachable");
        }
        return NbceException.of(cause);
    }

    /** Live workers with their status, for the registry endpoint and metrics. */
    public List<WorkerStatus> workers() {
        return registry.liveWorkers();
    }
}
