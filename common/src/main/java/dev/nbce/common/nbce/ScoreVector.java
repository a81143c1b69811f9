package dev.nbce.common.nbce;

import java.util.Arrays;

/**
 * Scores over a vocabulary where, after top-p, most entries are -infinity.
 *
 * <p>Sparse: {@code ids} strictly ascending, one finite value per id; an absent id scores
 * -infinity. Dense: {@code ids == null} and one value per token (may hold -infinity); only used
 * when top-p is off. Values are doubles so that a float widens exactly and a sum of a few rows'
 * floats is exact in practice, whatever the order of addition.
 */
public record ScoreVector(int vocabSize, int[] ids, double[] values) {
    public ScoreVector {
        if (vocabSize < 0 || values == null) {
            throw new IllegalArgumentException("score vector: vocabulary size >= 0 and values required");
        }
        if (ids == null) {
            if (values.length != vocabSize) {
                throw new IllegalArgumentException("dense score vector: " + values.length + " values for a vocabulary of "
                        + vocabSize);
            }
        } else {
            checkSparse(vocabSize, ids, values);
        }
    }

    private static void checkSparse(int vocabSize, int[] ids, double[] values) {
        if (ids.length != values.length) {
            throw new IllegalArgumentException("sparse score vector: " + ids.length + " ids but " + values.length + " values");
        }
        int previous = -1;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] <= previous || ids[i] >= vocabSize) {
                throw new IllegalArgumentException("sparse score vector: ids must ascend strictly within [0, " + vocabSize
                        + "), got " + ids[i] + " after " + previous);
            }
            if (values[i] == Double.NEGATIVE_INFINITY) {
                throw new IllegalArgumentException("sparse score vector: -infinity is stored by omission (id " + ids[i] + ")");
            }
            previous = ids[i];
        }
    }

    public boolean dense() {
        return ids == null;
    }

    /** Stored entries: the finite ones of a sparse vector, the whole vocabulary of a dense one. */
    public int size() {
        return values.length;
    }

    /** Token id of stored entry {@code index} (0 ≤ index < size()). */
    public int idAt(int index) {
        return ids == null ? index : ids[index];
    }

    /** Value of stored entry {@code index} (0 ≤ index < size()). */
    public double valueAtIndex(int index) {
        return values[index];
    }

    /** The score of token {@code id}; -infinity when a sparse vector does not hold it. */
    public double valueAt(int id) {
        if (ids == null) {
            return values[id];
        }
        int at = Arrays.binarySearch(ids, id);
        return at >= 0 ? values[at] : Double.NEGATIVE_INFINITY;
    }

    /** From a top-p truncated log-prob row: its finite entries only, or every entry when {@code dense}. */
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

    /** Sparse view of a dense array of sums: the entries that are not -infinity. */
    static ScoreVector sparseOf(double[] dense) {
        int count = 0;
        for (double v : dense) {
            if (v != Double.NEGATIVE_INFINITY) {
                count++;
            }
        }
        int[] ids = new int[count];
        double[] values = new double[count];
        int at = 0;
        for (int i = 0; i < dense.length; i++) {
            if (dense[i] != Double.NEGATIVE_INFINITY) {
                ids[at] = i;
                values[at++] = dense[i];
            }
        }
        return new ScoreVector(dense.length, ids, values);
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
