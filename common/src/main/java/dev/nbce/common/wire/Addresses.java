package dev.nbce.common.wire;

/** Event-bus addresses. */
public final class Addresses {
    /** Workers publish {@link WorkerStatus} here (also their heartbeat); gateways listen. */
    public static final String WORKER_ANNOUNCE = "nbce.workers.announce";
    /** Events addressed to gateways as a group (e.g. a worker draining). */
    public static final String GATEWAY_EVENTS = "nbce.gateway.events";
    /** Gateways publish {@link GatewayLease} heartbeats here; workers free the rows of gateways that fall silent. */
    public static final String GATEWAY_LEASES = "nbce.gateways.lease";

    private static final String WORKER_PREFIX = "nbce.worker.";

    private Addresses() {}

    /** A worker's command address: OpenRows, Advance, CloseRequest; replies are ShardStep. */
    public static String worker(String workerId) {
        if (workerId == null || workerId.isEmpty()) {
            throw new IllegalArgumentException("worker id required");
        }
        return WORKER_PREFIX + workerId;
    }
}
