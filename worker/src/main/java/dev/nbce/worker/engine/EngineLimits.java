package dev.nbce.worker.engine;

import dev.nbce.worker.decoder.RowCache;
import java.util.List;

/**
 * Bounds on what one worker holds and computes at once.
 *
 * @param capacityRows     rows (KV caches) this worker holds across all requests
 * @param maxBatchTokens   padded tokens (rows x longest new sequence) in one forward; bounds activation memory
 * @param maxAttentionCells rows x new tokens x attended positions in one forward; bounds the score tensors
 * @param batchWaitNanos   how long to wait for other requests' steps so they share a forward
 * @param kvCache          bytes of KV cache the rows' reservations and the prefix cache share, or how to
 *                         size them once the weights are loaded (see {@link KvBudget#resolve})
 */
public record EngineLimits(int capacityRows, int maxBatchTokens, long maxAttentionCells, long batchWaitNanos,
                           KvCacheSize kvCache) {
    public static final EngineLimits DEFAULT = new EngineLimits(512, 8192, 64L << 20, 2_000_000L);

    public EngineLimits {
        if (capacityRows < 1 || maxBatchTokens < 1 || maxAttentionCells < 1 || batchWaitNanos < 0 || kvCache == null) {
            throw new IllegalArgumentException("engine limits must be positive");
        }
    }

    /**
     * With the device's default share as the KV budget ({@value KvCacheSize#DEFAULT_GPU_UTILIZATION} of a GPU
     * less weights and activations, a quarter of RAM), worked out once the weights are loaded.
     */
    public EngineLimits(int capacityRows, int maxBatchTokens, long maxAttentionCells, long batchWaitNanos) {
        this(capacityRows, maxBatchTokens, maxAttentionCells, batchWaitNanos,
                new KvCacheSize.DeviceShare(KvCacheSize.DEFAULT_GPU_UTILIZATION));
    }

    /** With a fixed KV budget of {@code kvCacheBytes}. */
    public EngineLimits(int capacityRows, int maxBatchTokens, long maxAttentionCells, long batchWaitNanos,
                        long kvCacheBytes) {
        this(capacityRows, maxBatchTokens, maxAttentionCells, batchWaitNanos,
                new KvCacheSize.Bytes(kvCacheBytes, "configured"));
    }

    public EngineLimits withKvCache(KvCacheSize size) {
        return new EngineLimits(capacityRows, maxBatchTokens, maxAttentionCells, batchWaitNanos, size);
    }

    /** The end (exclusive) of the batch starting at {@code start} that stays within budget; at least one row. */
    int batchEnd(List<RowCache> caches, List<int[]> tokens, int start) {
        int longestNew = 0;
        int longestTotal = 0;
        int end = start;
        while (end < caches.size()) {
            int newTokens = Math.max(longestNew, tokens.get(end).length);
            int total = Math.max(longestTotal, caches.get(end).length() + tokens.get(end).length);
            int rows = end - start + 1;
            boolean fits = (long) rows * newTokens <= maxBatchTokens
                    && (long) rows * newTokens * total <= maxAttentionCells;
            if (!fits && end > start) {
                break;
            }
            longestNew = newTokens;
            longestTotal = total;
            end++;
        }
        return end;
    }
}
