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
 * @param capacityKvTokens tokens of KV cache its budget holds when empty ({@link #UNBOUNDED_TOKENS}: not counted)
 * @param freeKvTokens     tokens of that budget no row has reserved
 */
public record WorkerStatus(String workerId, String model, int capacityRows, int activeRows, String address,
                           String metricsUrl, PrefixDigest prefixes, int capacityKvTokens, int freeKvTokens) {
    /** A worker that does not count KV tokens: rows are its only limit. */
    public static final int UNBOUNDED_TOKENS = Integer.MAX_VALUE;

    public WorkerStatus(String workerId, String model, int capacityRows, int activeRows, String address,
                        String metricsUrl) {
        this(workerId, model, capacityRows, activeRows, address, metricsUrl, PrefixDigest.EMPTY);
    }

    public WorkerStatus(String workerId, String model, int capacityRows, int activeRows, String address,
                        String metricsUrl, PrefixDigest prefixes) {
        this(workerId, model, capacityRows, activeRows, address, metricsUrl, prefixes, UNBOUNDED_TOKENS, UNBOUNDED_TOKENS);
    }

    public WorkerStatus {
        prefixes = prefixes == null ? PrefixDigest.EMPTY : prefixes;
        Objects.requireNonNull(workerId, "workerId");
        Objects.requireNonNull(address, "address");
        if (capacityRows < 0 || activeRows < 0 || capacityKvTokens < 0 || freeKvTokens < 0) {
            throw new IllegalArgumentException("worker status: row and token counts must be >= 0");
        }
    }
}
