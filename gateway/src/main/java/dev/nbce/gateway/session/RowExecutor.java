package dev.nbce.gateway.session;

import dev.nbce.common.prefix.PrefixDigest;
import dev.nbce.common.wire.WorkerStatus;
import dev.nbce.common.wire.Advance;
import dev.nbce.common.wire.OpenRows;
import dev.nbce.common.wire.ShardStep;
import io.vertx.core.Future;
import java.util.List;

/**
 * Where the rows of requests run: in this process, or on workers across the cluster. The step loop
 * talks only to this interface, which is what makes generations identical whatever the placement.
 * Futures complete on the caller's Vert.x context.
 */
public interface RowExecutor {
    /** Workers that can take rows now, with their free row capacity. */
    List<WorkerSlot> availableWorkers();

    /** Places rows on a worker, prefills them and returns their first report. */
    Future<ShardStep> open(String workerId, OpenRows open);

    /** Appends the chosen token on a worker and returns the next report for its rows. */
    Future<ShardStep> advance(String workerId, Advance advance);

    /** Frees the request's rows on a worker; best effort, never fails. */
    void close(String workerId, String requestId);

    /**
     * All the rows a worker can hold and its free rows now, the prefixes it caches, and its KV cache in tokens:
     * all its budget holds and free now ({@link WorkerStatus#UNBOUNDED_TOKENS} when it does not count them).
     * Capacity before free, named as in {@link WorkerStatus}.
     */
    record WorkerSlot(String workerId, int capacityRows, int freeRows, PrefixDigest prefixes, int capacityKvTokens,
                      int freeKvTokens) {
        public WorkerSlot {
            prefixes = prefixes == null ? PrefixDigest.EMPTY : prefixes;
        }

        public WorkerSlot(String workerId, int capacityRows, int freeRows, PrefixDigest prefixes) {
            this(workerId, capacityRows, freeRows, prefixes, WorkerStatus.UNBOUNDED_TOKENS, WorkerStatus.UNBOUNDED_TOKENS);
        }

        public WorkerSlot(String workerId, int capacityRows, int freeRows) {
            this(workerId, capacityRows, freeRows, PrefixDigest.EMPTY);
        }

        /** The same worker with nothing placed on it. */
        WorkerSlot empty() {
            return new WorkerSlot(workerId, capacityRows, capacityRows, PrefixDigest.EMPTY, capacityKvTokens, capacityKvTokens);
        }
    }
}
