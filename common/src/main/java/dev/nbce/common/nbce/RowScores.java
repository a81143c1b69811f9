package dev.nbce.common.nbce;

import java.util.Arrays;

/**
 * Per-row steps 1–3 of DESIGN.md §2: log-softmax, Hugging Face top-p, and the entropy of the
 * truncated (not renormalised) row.
 */
public final class RowScores {
    /** First probability level tried when looking for the nucleus; lowered until it holds it. */
    private static final double FIRST_CANDIDATE_LEVEL = 1e-4;

    private RowScores() {}

    /** log_softmax, accumulated in double. */
    public static float[] logSoftmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float z : logits) {
            max = Math.max(max, z);
        }
        double sum = 0;
        for (float z : logits) {
            sum += Math.exp(z - max);
        }
        double logZ = max + Math.log(sum);
        float[] out = new float[logits.length];
        for (int i = 0; i < logits.length; i++) {
            out[i] = (float) (logits[i] - logZ);
        }
        return out;
    }

    /**
     * TopPLogitsWarper semantics, in place: in ascending order of score, every token whose
     * cumulative probability is {@code <= 1 - topP} becomes -infinity; the most probable token is
     * always kept. Equivalently, walking down from the top, a token is kept while the mass above it
     * is below {@code total - (1 - topP)}. Only the candidates that can be in the nucleus are sorted.
     */
    public static void applyTopP(float[] logProbs, double topP) {
        if (topP >= 1) {
            return;
        }
        double total = 0;
        for (float l : logProbs) {
            total += Math.exp(l);
        }
        double keepWhileAbove = total - (1 - topP);
        int[] order = nucleusCandidates(logProbs, keepWhileAbove);
        int kept = 1; // the most probable token survives whatever top_p says
        double massAbove = Math.exp(logProbs[order[0]]);
        while (kept < order.length && massAbove < keepWhileAbove) {
            massAbove += Math.exp(logProbs[order[kept]]);
            kept++;
        }
        boolean[] keep = new boolean[logProbs.length];
        for (int i = 0; i < kept; i++) {
            keep[order[i]] = true;
        }
        for (int i = 0; i < logProbs.length; i++) {
            if (!keep[i]) {
                logProbs[i] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    /**
     * Token ids in descending score order (ties: lower id first), enough of them to contain the
     * nucleus: all tokens with probability at or above a level whose total mass already reaches
     * {@code needed}; tokens below the level come after every candidate in the full order anyway.
     */
    private static int[] nucleusCandidates(float[] logProbs, double needed) {
        double level = FIRST_CANDIDATE_LEVEL;
        while (true) {
            float logLevel = level > 0 ? (float) Math.log(level) : Float.NEGATIVE_INFINITY;
            int count = 0;
            double mass = 0;
            for (float l : logProbs) {
                if (l >= logLevel) {
                    count++;
                    mass += Math.exp(l);
                }
            }
            if (count > 0 && (mass >= needed || level == 0)) {
                return sortedDescending(logProbs, logLevel, count);
            }
            level = level < 1e-30 ? 0 : level / 64;
        }
    }

    private static int[] sortedDescending(float[] logProbs, float logLevel, int count) {
        long[] keys = new long[count];
        int at = 0;
        for (int i = 0; i < logProbs.length; i++) {
            if (logProbs[i] >= logLevel) {
                // Sort key: descending score, then ascending id — packed so one primitive sort does it.
                keys[at++] = ((long) descendingBits(logProbs[i]) << 32) | i;
            }
        }
        Arrays.sort(keys);
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = (int) keys[i];
        }
        return order;
    }

    /** An int that orders floats from largest to smallest when compared as signed ints. */
    private static int descendingBits(float value) {
        int bits = Float.floatToIntBits(value);
        int ascending = bits >= 0 ? bits : bits ^ 0x7fffffff;
        return ~ascending;
    }

    /** H = -Σ exp(l)·clip(l, -100, 0) over the row as truncated (removed tokens contribute 0). */
    public static double entropy(float[] truncatedLogProbs) {
        double h = 0;
        for (float l : truncatedLogProbs) {
            if (l != Float.NEGATIVE_INFINITY) {
                h -= Math.exp(l) * Math.max(-100.0, Math.min(0.0, l));
            }
        }
        return h;
    }
}
