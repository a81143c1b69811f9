package dev.nbce.common.wire;

import java.util.Objects;

/**
 * A gateway's heartbeat on {@link Addresses#GATEWAY_LEASES}: every row a worker holds for
 * {@code gatewayId} stays only while such heartbeats keep coming; a worker that hears none for
 * {@code leaseMillis} frees that gateway's rows. {@code leaseMillis == 0} says the gateway is leaving:
 * free its rows now. Commands from a gateway carry its id in the {@link #HEADER} header.
 */
public record GatewayLease(String gatewayId, int leaseMillis) {
    /** Event-bus header naming the gateway that sent an OpenRows, Advance or CloseRequest. */
    public static final String HEADER = "nbce-gateway";
    /** The lease a worker assumes for a gateway it has only heard commands from, not yet a heartbeat. */
    public static final int DEFAULT_LEASE_MILLIS = 5_000;

    public GatewayLease {
        Objects.requireNonNull(gatewayId, "gatewayId");
        if (leaseMillis < 0) {
            throw new IllegalArgumentException("gateway lease must be >= 0 ms");
        }
    }

    public boolean leaving() {
        return leaseMillis == 0;
    }
}
