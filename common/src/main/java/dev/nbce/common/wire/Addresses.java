package dev.nbce.common.wire;

/** Event-bus addresses. */
public final class Addresses {
    /** Workers publish {@link WorkerStatus} here; gateways listen. */
    public static final String WORKER_ANNOUNCE = "nbce.workers.announce";

    private Addresses() {}

    /** A worker's command address (OpenRows, Advance, CloseRequest). */
    public static String worker(String workerId) {
        return "nbce.worker." + workerId;
    }
}
