package dev.nbce.common.nbce;

/**
 * One row's log-softmax normaliser, summed in double in id order: logProb(i) = (float) (logits[i] - logZ),
 * with the exponentials it already paid for kept, when asked, for {@link BoundedTopP}.
 *
 * @param max  the largest logit
 * @param exps e^(logits[i] - max) in its first logits.length entries, or null when not kept
 * @param sum  their sum, in id order
 * @param logZ max + log(sum)
 */
record SoftmaxRow(float[] logits, double max, double[] exps, double sum, double logZ) {
    /** @param exps where to keep the exponentials (at least logits.length long), or null */
    static SoftmaxRow of(float[] logits, double[] exps) {
        double max = Double.NEGATIVE_INFINITY;
        for (float z : logits) {
            max = Math.max(max, z);
        }
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            double e = Math.exp(logits[i] - max);
            if (exps != null) {
                exps[i] = e;
            }
            sum += e;
        }
        return new SoftmaxRow(logits, max, exps, sum, max + Math.log(sum));
    }

    float logProb(int i) {
        return (float) (logits[i] - logZ);
    }

    /** [vocab] logits -> [vocab] log-probs. */
    float[] logProbs() {
        float[] out = new float[logits.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = logProb(i);
        }
        return out;
    }
}
