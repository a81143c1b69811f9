package dev.nbce.common.nbce;

import dev.nbce.common.step.Pooling;
import dev.nbce.common.step.StepParams;

/** What a worker does each step for its rows of one request: steps 1–5 locally, then one small report. */
public final class ShardReducer {
    private ShardReducer() {}

    /**
     * Steps 1–4 for each row, then the local half of step 5: the entropies of all rows, plus the
     * truncated log-probs of the locally best context row (min_entropy) or the sum of the context
     * rows (average), plus row 0's vector when held here. Vectors are sparse unless top-p is off.
     *
     * @param rowIndices        global row numbers of {@code rawLogits}' rows (0 = the no-context row)
     * @param rawLogits         [rows][vocab] logits at each row's last position; not modified
     * @param previousChosenRow the row chosen at the previous step, which gets the stickiness bonus η;
     *                          -1 at the first step
     */
    public static ShardReport reduce(int[] rowIndices, float[][] rawLogits, StepParams params, int previousChosenRow) {
        if (rowIndices.length != rawLogits.length) {
            throw new IllegalArgumentException(rowIndices.length + " row numbers for " + rawLogits.length + " rows of logits");
        }
        if (previousChosenRow < -1) {
            throw new IllegalArgumentException("previous chosen row must be >= -1, got " + previousChosenRow);
        }
        Pooling pooling = params.nbce().pooling();
        boolean dense = params.topP() >= 1;
        double[] entropies = new double[rowIndices.length];
        int bestRow = -1;
        double bestEntropy = Double.POSITIVE_INFINITY;
        float[] bestRowScores = null;
        ScoreVector row0 = null;
        double[] sum = null;
        int sumCount = 0;
        for (int i = 0; i < rowIndices.length; i++) {
            int row = rowIndices[i];
            float[] scores = RowScores.truncatedLogSoftmax(rawLogits[i], params.topP());
            double h = RowScores.entropy(scores);
            if (row == previousChosenRow) {
                h -= params.nbce().eta();
            }
            entropies[i] = h;
            if (row == 0) {
                row0 = ScoreVector.ofTruncated(scores, dense);
                continue;
            }
            if (h < bestEntropy || (h == bestEntropy && row < bestRow)) {
                bestEntropy = h;
                bestRow = row;
                bestRowScores = scores;
            }
            if (pooling == Pooling.AVERAGE) {
                sum = accumulate(sum, scores);
                sumCount++;
            }
        }
        ScoreVector best = pooling == Pooling.MIN_ENTROPY && bestRowScores != null
                ? ScoreVector.ofTruncated(bestRowScores, dense) : null;
        ScoreVector summed = sum == null ? null : toVector(sum, dense);
        return new ShardReport(rowIndices.clone(), entropies, bestRow, best, row0, summed, sumCount);
    }

    /** Adds a row; -infinity anywhere stays -infinity. */
    private static double[] accumulate(double[] sum, float[] scores) {
        if (sum == null) {
            sum = new double[scores.length];
        }
        for (int v = 0; v < scores.length; v++) {
            sum[v] += scores[v];
        }
        return sum;
    }

    private static ScoreVector toVector(double[] sum, boolean dense) {
        return dense ? new ScoreVector(sum.length, null, sum) : ScoreVector.sparseOf(sum);
    }
}
