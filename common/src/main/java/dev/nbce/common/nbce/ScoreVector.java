package dev.nbce.common.nbce;

import java.util.Arrays;

/**
 * Scores over a vocabulary where most entries are -infinity. Sparse: the finite entries only,
 * {@code ids} strictly ascending. Dense: {@code ids == null} and one value per token (may hold
 * -infinity). Values are doubles so that floats widen exactly and sums do not depend on order in
 * any practical case.
 */
public record ScoreVector(int vocabSize, int[] ids, double[] values) {
    public ScoreVector {
        if (ids == null ? values.length != vocabSize : ids.length != values.length) {
            throw new IllegalArgumentException("score vector: ids and values disagree");
        }
    }

    public boolean dense() {
        return ids == null;
    }

    /** Stored entries: finite ones for sparse vectors, the whole vocabulary for dense ones. */
    public int size() {
        return values.length;
    }

    public int idAt(int index) {
        return ids == null ? index : ids[index];
    }

    public double valueAt(int index) {
        return values[index];
    }

    /** The score of a token id; -infinity when absent. */
    public double scoreOf(int tokenId) {
        if (ids == null) {
            return values[tokenId];
        }
        int at = Arrays.binarySearch(ids, tokenId);
        return at >= 0 ? values[at] : Double.NEGATIVE_INFINITY;
    }

    /** From a top-p truncated log-prob row: only its finite entries, unless {@code dense}. */
    public static ScoreVector ofTruncated(float[] truncated, boolean dense) {
        if (dense) {
            double[] values = new double[truncated.length];
            for (int i = 0; i < truncated.length; i++) {
                values[i] = truncated[i];
            }
            return new ScoreVector(truncated.length, null, values);
        }
        int count = 0;
        for (float v : truncated) {
            if (v != Float.NEGATIVE_INFINITY) {
                count++;
            }
        }
        int[] ids = new int[count];
        double[] values = new double[count];
        int at = 0;
        for (int i = 0; i < truncated.length; i++) {
            if (truncated[i] != Float.NEGATIVE_INFINITY) {
                ids[at] = i;
                values[at++] = truncated[i];
            }
        }
        return new ScoreVector(truncated.length, ids, values);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScoreVector v && v.vocabSize == vocabSize && Arrays.equals(v.ids, ids)
                && Arrays.equals(v.values, values);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * vocabSize + Arrays.hashCode(ids)) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "ScoreVector[vocab=" + vocabSize + ", " + (dense() ? "dense" : size() + " entries") + "]";
    }
}
