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
 * @param kvCacheBytes     bytes of KV cache all rows together may reserve (see {@link KvBudget})
 */
public record EngineLimits(int capacityRows, int maxBatchTokens, long maxAttentionCells, long batchWaitNanos,
                           long kvCacheBytes) {
    public static final EngineLimits DEFAULT = new EngineLimits(512, 8192, 64L << 20, 2_000_000L);

    public EngineLimits {
        if (capacityRows < 1 || maxBatchTokens < 1 || maxAttentionCells < 1 || batchWaitNanos < 0 || kvCacheBytes < 1) {
            throw new IllegalArgumentException("engine limits must be positive");
        }
    }

    /** With the KV budget from the environment ({@link KvBudget#budgetBytesFromEnvironment()}). */
    public EngineLimits(int capacityRows, int maxBatchTokens, long maxAttentionCells, long batchWaitNanos) {
        this(capacityRows, maxBatchTokens, maxAttentionCells, batchWaitNanos, KvBudget.budgetBytesFromEnvironment());
    }

    public EngineLimits withKvCacheBytes(long bytes) {
        return new EngineLimits(capacityRows, maxBatchTokens, maxAttentionCells, batchWaitNanos, bytes);
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
