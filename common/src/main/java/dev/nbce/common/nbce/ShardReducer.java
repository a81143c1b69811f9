package dev.nbce.common.nbce;

import dev.nbce.common.step.Pooling;
import dev.nbce.common.step.StepParams;
import java.util.stream.IntStream;

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
        return reduce(rowIndices, rawLogits, params, previousChosenRow, StepMask.NONE);
    }

    /**
     * As {@link #reduce(int[], float[][], StepParams, int)}, with every row's logits first put through {@code mask}
     * (the logit bias and the constraint, docs/structured-output.md): log-softmax, top-p, entropy, η and pooling all
     * see only the tokens it allows. The raw logits are not modified.
     */
    public static ShardReport reduce(int[] rowIndices, float[][] rawLogits, StepParams params, int previousChosenRow,
                                     StepMask mask) {
        if (rowIndices.length != rawLogits.length) {
            throw new IllegalArgumentException(rowIndices.length + " row numbers for " + rawLogits.length + " rows of logits");
        }
        if (previousChosenRow < -1) {
            throw new IllegalArgumentException("previous chosen row must be >= -1, got " + previousChosenRow);
        }
        Pooling pooling = params.nbce().pooling();
        ScoredRow[] scored = scoreRows(rawLogits, params.topP(), mask);
        double[] entropies = new double[rowIndices.length];
        int bestRow = -1;
        double bestEntropy = Double.POSITIVE_INFINITY;
        ScoreVector best = null;
        ScoreVector row0 = null;
        double[] sum = null;
        int[] hits = null;
        int sumCount = 0;
        for (int i = 0; i < rowIndices.length; i++) {
            int row = rowIndices[i];
            double h = scored[i].entropy();
            if (row == previousChosenRow) {
                h -= params.nbce().eta();
            }
            entropies[i] = h;
            if (row == 0) {
                row0 = scored[i].scores();
                continue;
            }
            if (h < bestEntropy || (h == bestEntropy && row < bestRow)) {
                bestEntropy = h;
                bestRow = row;
                best = scored[i].scores();
            }
            if (pooling == Pooling.AVERAGE) {
                int vocab = scored[i].scores().vocabSize();
                sum = sum == null ? new double[vocab] : sum;
                hits = hits == null ? new int[vocab] : hits;
                accumulate(sum, hits, scored[i].scores());
                sumCount++;
            }
        }
        ScoreVector summed = sum == null ? null : toVector(sum, hits, sumCount, params.topP() >= 1);
        return new ShardReport(rowIndices.clone(), entropies, bestRow, pooling == Pooling.MIN_ENTROPY ? best : null, row0,
                summed, sumCount);
    }

    /**
     * Steps 1–3 of every row, in parallel: rows are independent and each row's result is the same on
     * any thread, while the forward that produced the logits leaves the cores idle meanwhile.
     */
    private static ScoredRow[] scoreRows(float[][] rawLogits, double topP, StepMask mask) {
        ScoredRow[] scored = new ScoredRow[rawLogits.length];
        IntStream.range(0, rawLogits.length).parallel()
                .forEach(i -> scored[i] = RowScores.score(mask.apply(rawLogits[i]), topP));
        return scored;
    }

    /**
     * Adds a row's stored entries in row order; a token absent from a sparse row (-infinity) is absent
     * from the sum, which {@code hits} tracks; a dense row's -infinity makes the sum -infinity.
     */
    private static void accumulate(double[] sum, int[] hits, ScoreVector scores) {
        for (int k = 0; k < scores.size(); k++) {
            int id = scores.idAt(k);
            sum[id] += scores.valueAtIndex(k);
            hits[id]++;
        }
    }

    /** Dense when top-p is off; else the tokens every added row kept. */
    private static ScoreVector toVector(double[] sum, int[] hits, int rows, boolean dense) {
        if (dense) {
            return new ScoreVector(sum.length, null, sum);
        }
        for (int v = 0; v < sum.length; v++) {
            if (hits[v] != rows) {
                sum[v] = Double.NEGATIVE_INFINITY;
            }
        }
        return ScoreVector.sparseOf(sum);
    }
}
