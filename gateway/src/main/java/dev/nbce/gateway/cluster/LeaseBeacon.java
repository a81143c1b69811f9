package dev.nbce.gateway.cluster;

import dev.nbce.common.wire.Addresses;
import dev.nbce.common.wire.GatewayLease;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * Renews this gateway's lease on every worker: publishes a {@link GatewayLease} several times per
 * lease. A gateway that dies or is cut off stops renewing and its rows are freed within one lease;
 * one that stops says goodbye (lease 0) so they are freed at once.
 */
public final class LeaseBeacon {
    /** Heartbeats per lease: a few may be lost or late without the lease running out. */
    private static final int BEATS_PER_LEASE = 5;

    private final Vertx vertx;
    private final String gatewayId;
    private final int leaseMillis;
    private long timer = -1;

    public LeaseBeacon(Vertx vertx, String gatewayId, int leaseMillis) {
        if (leaseMillis < 100) {
            throw new IllegalArgumentException("the lease must be >= 100 ms, got " + leaseMillis);
        }
        this.vertx = vertx;
        this.gatewayId = gatewayId;
        this.leaseMillis = leaseMillis;
    }

    public String gatewayId() {
        return gatewayId;
    }

    public void start() {
        timer = vertx.setPeriodic(0, Math.max(20, leaseMillis / BEATS_PER_LEASE),
                id -> vertx.eventBus().publish(Addresses.GATEWAY_LEASES, new GatewayLease(gatewayId, leaseMillis)));
    }

    /** Stops renewing and tells the workers to free this gateway's rows now; completes shortly after. */
    public Future<Void> stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
        vertx.eventBus().publish(Addresses.GATEWAY_LEASES, new GatewayLease(gatewayId, 0));
        // Publishing is asynchronous: give the goodbye a moment on the wire before the event bus closes.
        Promise<Void> sent = Promise.promise();
        vertx.setTimer(200, id -> sent.complete());
        return sent.future();
    }
}
