package dev.nbce.common.nbce;

/**
 * What one step does to every row's raw logits before steps 1–3 (docs/structured-output.md): adds the logit bias,
 * then sets every token the constraint does not allow here to -infinity, so each row's log-softmax, nucleus and
 * entropy see only allowed tokens. The same for every row of a request at one step. Applied to a copy: the
 * forward's logits are never modified.
 *
 * @param allowed    bit {@code id} of word {@code id / 64} set for each allowed token; ids past its end are not
 *                   allowed; null = every token is
 * @param biasIds    token ids whose logit gets {@code biasValues} at the same index added
 * @param biasValues biases, added as floats (the logits' precision)
 */
public record StepMask(long[] allowed, int[] biasIds, float[] biasValues) {
    public static final StepMask NONE = new StepMask(null, new int[0], new float[0]);

    public StepMask {
        if (biasIds.length != biasValues.length) {
            throw new IllegalArgumentException("one bias per token id");
        }
    }

    public boolean isNone() {
        return allowed == null && biasIds.length == 0;
    }

    /** Whether {@code id} is allowed (the bias aside). */
    public boolean allows(int id) {
        return allowed == null || (id >= 0 && (id >> 6) < allowed.length && (allowed[id >> 6] & (1L << id)) != 0);
    }

    /** [vocab] logits -> [vocab] logits with the bias added and disallowed tokens at -infinity; the input itself when none. */
    public float[] apply(float[] logits) {
        if (isNone()) {
            return logits;
        }
        float[] out = logits.clone();
        for (int i = 0; i < biasIds.length; i++) {
            if (biasIds[i] < out.length) {
                out[biasIds[i]] += biasValues[i];
            }
        }
        if (allowed != null) {
            for (int id = 0; id < out.length; id++) {
                if (!allows(id)) {
                    out[id] = Float.NEGATIVE_INFINITY;
                }
            }
        }
        return out;
    }

    /** Each row through {@link #apply}; the rows themselves when none. */
    public float[][] apply(float[][] rows) {
        if (isNone()) {
            return rows;
        }
        float[][] out = new float[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            out[r] = apply(rows[r]);
        }
        return out;
    }
}
