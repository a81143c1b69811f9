package dev.nbce.common.nbce;

/**
 * One row's log-softmax, [vocab] logits -> [vocab] log-probs, summed in double in id order, with the
 * exponentials it already paid for kept for {@link BoundedTopP}.
 *
 * @param exps     e^(logits[i] - max) per token, or null when not kept
 * @param sum      their sum, in id order
 * @param logZ     max + log(sum); logProbs[i] = (float) (logits[i] - logZ)
 */
record SoftmaxRow(float[] logits, double[] exps, double sum, double logZ, float[] logProbs) {
    static SoftmaxRow of(float[] logits, boolean keepExps) {
        double max = Double.NEGATIVE_INFINITY;
        for (float z : logits) {
            max = Math.max(max, z);
        }
        double[] exps = keepExps ? new double[logits.length] : null;
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            double e = Math.exp(logits[i] - max);
            if (exps != null) {
                exps[i] = e;
            }
            sum += e;
        }
        double logZ = max + Math.log(sum);
        float[] out = new float[logits.length];
        for (int i = 0; i < logits.length; i++) {
            out[i] = (float) (logits[i] - logZ);
        }
        return new SoftmaxRow(logits, exps, sum, logZ, out);
    }
}
