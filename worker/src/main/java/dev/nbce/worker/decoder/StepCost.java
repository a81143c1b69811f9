package dev.nbce.worker.decoder;

import dev.nbce.worker.model.ModelConfig;

/**
 * The least work one forward of {@link LlamaDecoder} must do, and so the least time it can take on
 * a machine of given {@link MachineLimits}: its floating-point operations at the matmul peak, or the
 * bytes it must read at the streaming bandwidth, whichever is longer. Counted as an ideal engine
 * would: every matmul weight read once per forward (the layers' projections and the head; the
 * embedding is a gather of a few rows and norms are negligible), each row's cached keys and values
 * read once per layer, causal attention only (no padding, no masked scores), the head applied to
 * each row's last new token only (as the decoder does).
 *
 * @param flops floating-point operations (2 per multiply-add)
 * @param weightBytes matmul weights read
 * @param kvBytes keys and values read by attention (past and new positions)
 */
public record StepCost(double flops, double weightBytes, double kvBytes) {

    /** Which limit a bound comes from. */
    public enum Limit {
        COMPUTE, MEMORY;

        /** Lower case, as the bench prints it and its JSON carries it. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A step's least time and the limit that sets it. */
    public record Bound(double millis, Limit limit) {
        /** {@code measured / bound}: 1 at the machine's limit, 2 when twice as slow. */
        public double ratio(double measuredMillis) {
            return measuredMillis / millis;
        }
    }

    /**
     * One forward in which each of {@code rows} rows appends {@code newTokens} tokens after
     * {@code past} cached ones, in a dtype of {@code bytesPerValue} bytes.
     */
    public static StepCost forward(ModelConfig c, int rows, int newTokens, int past, int bytesPerValue) {
        double tokens = (double) rows * newTokens;
        double headParams = (double) c.vocab() * c.hidden();
        // Each new token i (0-based) attends to past + i + 1 positions: q.k and weights.v, 2 flops each per head dim.
        double attendedPositions = (double) newTokens * past + (double) newTokens * (newTokens + 1) / 2;
        double attentionFlops = 4.0 * c.layers() * c.heads() * c.headDim() * attendedPositions * rows;
        double flops = 2.0 * layerMatmulParams(c) * c.layers() * tokens + 2.0 * headParams * rows + attentionFlops;
        double weightBytes = (layerMatmulParams(c) * c.layers() + headParams) * bytesPerValue;
        double kvBytes = 2.0 * c.layers() * c.kvHeads() * c.headDim() * (double) (past + newTokens) * rows * bytesPerValue;
        return new StepCost(flops, weightBytes, kvBytes);
    }

    /** One decode step: every row appends one token after {@code past}. */
    public static StepCost decode(ModelConfig c, int rows, int past, int bytesPerValue) {
        return forward(c, rows, 1, past, bytesPerValue);
    }

    /**
     * A prefill of {@code tokens} tokens on each of {@code rows} empty rows, run as the decoder runs
     * it: one forward per chunk of at most {@code chunk} tokens (each reads the weights again).
     */
    public static StepCost prefill(ModelConfig c, int rows, int tokens, int chunk, int bytesPerValue) {
        StepCost total = new StepCost(0, 0, 0);
        for (int fed = 0; fed < tokens; fed += chunk) {
            total = total.plus(forward(c, rows, Math.min(chunk, tokens - fed), fed, bytesPerValue));
        }
        return total;
    }

    /** The weights of one layer's projections: q/k/v, o, gate/up and down. */
    static double layerMatmulParams(ModelConfig c) {
        double hidden = c.hidden();
        double qkv = hidden * (c.heads() + 2.0 * c.kvHeads()) * c.headDim();
        double o = (double) c.heads() * c.headDim() * hidden;
        double mlp = 3.0 * hidden * c.intermediate();
        return qkv + o + mlp;
    }

    public StepCost plus(StepCost other) {
        return new StepCost(flops + other.flops, weightBytes + other.weightBytes, kvBytes + other.kvBytes);
    }

    public double bytes() {
        return weightBytes + kvBytes;
    }

    /** The least time on {@code limits}: compute at the matmul peak or reads at the bandwidth, the longer. */
    public Bound bound(MachineLimits limits) {
        double computeMillis = flops / (limits.matmulGflops() * 1e9) * 1e3;
        double memoryMillis = bytes() / (limits.streamGbps() * 1e9) * 1e3;
        return computeMillis >= memoryMillis ? new Bound(computeMillis, Limit.COMPUTE) : new Bound(memoryMillis, Limit.MEMORY);
    }
}
