package dev.nbce.common.wire;

import dev.nbce.common.prefix.PrefixDigest;
import java.util.Objects;

/**
 * A worker's periodic announcement on {@link Addresses#WORKER_ANNOUNCE} (also its heartbeat).
 *
 * @param model        the model it serves (may be null when unnamed)
 * @param capacityRows rows it can hold; 0 means it is draining
 * @param address      where to send it commands, normally {@link Addresses#worker(String)}
 * @param metricsUrl   where its /metrics server really listens (several workers share a host), or null
 * @param prefixes     the prefixes its prefix cache holds, for cache-aware placement (null: none)
 */
public record WorkerStatus(String workerId, String model, int capacityRows, int activeRows, String address,
                           String metricsUrl, PrefixDigest prefixes) {
    public WorkerStatus(String workerId, String model, int capacityRows, int activeRows, String address,
                        String metricsUrl) {
        this(workerId, model, capacityRows, activeRows, address, metricsUrl, PrefixDigest.EMPTY);
    }

    public WorkerStatus {
        prefixes = prefixes == null ? PrefixDigest.EMPTY : prefixes;
        Objects.requireNonNull(workerId, "workerId");
        Objects.requireNonNull(address, "address");
        if (capacityRows < 0 || activeRows < 0) {
            throw new IllegalArgumentException("worker status: row counts must be >= 0");
        }
    }
}
