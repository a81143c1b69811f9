package dev.nbce.worker.engine;

import dev.nbce.worker.model.ModelConfig;

/**
 * The default KV budget on a GPU, sized as vLLM sizes its cache: the share of device memory this
 * worker may fill, less what is in use once the weights are loaded, less what a forward needs.
 *
 * <p>A forward's activations are estimated from shapes, not measured by a profiling forward: the
 * engine's limits bound every forward it runs (padded tokens per forward, attention cells, the
 * prefill chunk), so an estimate at those bounds covers the largest forward it will ever run, where
 * a profiling forward measures the one it happened to run. It also keeps the GPU path to reading
 * two figures, with all the arithmetic here, tested on a CPU.
 *
 * <p>A decode step gathers its rows' pasts into one tensor ({@code GroupAttention.gatherPast}): for
 * that step a second copy of up to all the rows' KV. So the KV budget gets half of what is left
 * after the weights and the other activations; giving it all would run a full worker out of memory
 * on its first decode step with every row in it.
 */
final class GpuKvBudget {
    /** The rows' caches and, during a decode step, the gathered copy of their pasts. */
    private static final int KV_COPIES = 2;
    private static final int F32 = 4;

    private GpuKvBudget() {}

    /**
     * @param totalBytes      the device's memory
     * @param usedBytes       in use on the device after the weights were loaded (any process's, as
     *                        the driver reports it: the CUDA context and other tenants count too)
     * @param utilization     the share of {@code totalBytes} this worker may fill, in (0, 1]
     * @param activationBytes the largest forward's temporaries ({@link #activationBytes})
     * @return bytes for the KV cache, 0 when nothing is left
     */
    static long budgetBytes(long totalBytes, long usedBytes, double utilization, long activationBytes) {
        long left = (long) (totalBytes * utilization) - usedBytes - activationBytes;
        return Math.max(0, left / KV_COPIES);
    }

    /**
     * An upper estimate of one forward's temporaries on the device, at the engine's bounds. Only one
     * layer's temporaries live at a time (the decoder scopes them per layer), beside each layer's new
     * keys and values, which the step keeps until it writes them to the rows, and the logits.
     */
    static long activationBytes(ModelConfig c, int elementBytes, EngineLimits limits, int prefillChunkTokens) {
        // A batch is cut at maxBatchTokens padded tokens; a row alone runs at most one chunk per forward.
        long tokens = Math.max(limits.maxBatchTokens(), prefillChunkTokens);
        // Several rows share maxAttentionCells (rows x new x attended); one row alone attends one chunk
        // to at most the model's positions.
        long cells = Math.max(limits.maxAttentionCells(), (long) prefillChunkTokens * c.maxPositions());
        long qkvWidth = (long) (c.heads() + 2 * c.kvHeads()) * c.headDim();
        // One layer per token: the residual stream, its norm and sum; qkv, its split and RoPE copies;
        // the attention output and its projection; gate and up, SiLU and their product.
        long perToken = 3L * c.hidden() + 3 * qkvWidth + 2L * c.heads() * c.headDim() + 4L * c.intermediate();
        long layer = tokens * perToken * elementBytes;
        // Scores per head and cell: past and new scores, their concatenation, the F32 copy softmax runs
        // on and its result, the weights back in the compute dtype; and the padding mask.
        long attention = cells * c.heads() * (3L * elementBytes + 2 * F32) + cells * elementBytes;
        // Each layer's new K and V, then stacked into one tensor to write to the rows.
        long newKv = 2 * tokens * KvBudget.bytesPerToken(c, elementBytes);
        // The last position of every row in the forward, in the compute dtype and as F32 for the host.
        long logits = Math.min(tokens, limits.capacityRows()) * c.vocab() * (long) (elementBytes + F32);
        return layer + attention + newKv + logits;
    }
}
