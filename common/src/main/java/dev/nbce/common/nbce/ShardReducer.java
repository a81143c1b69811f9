package dev.nbce.common.nbce;

import dev.nbce.common.step.Pooling;
import dev.nbce.common.step.StepParams;
import java.util.Comparator;
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
        return reducePosition(rowIndices, rawLogits, params, mask).resolve(previousChosenRow, params.nbce());
    }

    /**
     * Steps 1–4 of every row at one position, η left to the gateway: the report that {@link PositionReport#resolve}
     * finishes once the row chosen at the position before is known (a verified draft position,
     * docs/speculative-decoding.md). Under min_entropy it keeps the vectors of the local best row without η and of
     * every context row within η of it, the only rows η can make the local choice.
     */
    public static PositionReport reducePosition(int[] rowIndices, float[][] rawLogits, StepParams params,
                                                StepMask mask) {
        if (rowIndices.length != rawLogits.length) {
            throw new IllegalArgumentException(rowIndices.length + " row numbers for " + rawLogits.length + " rows of logits");
        }
        Pooling pooling = params.nbce().pooling();
        ScoredRow[] scored = scoreRows(rawLogits, params.topP(), mask);
        double[] entropies = new double[rowIndices.length];
        int bestRow = -1;
        double bestEntropy = Double.POSITIVE_INFINITY;
        ScoreVector row0 = null;
        double[] sum = null;
        int[] hits = null;
        int sumCount = 0;
        for (int i = 0; i < rowIndices.length; i++) {
            int row = rowIndices[i];
            entropies[i] = scored[i].entropy();
            if (row == 0) {
                row0 = scored[i].scores();
                continue;
            }
            if (entropies[i] < bestEntropy || (entropies[i] == bestEntropy && row < bestRow)) {
                bestEntropy = entropies[i];
                bestRow = row;
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
        int[] candidates = pooling == Pooling.MIN_ENTROPY
                ? candidates(rowIndices, entropies, bestRow, bestEntropy, params.nbce().eta()) : new int[0];
        int[] candidateRows = new int[candidates.length];
        ScoreVector[] candidateVectors = new ScoreVector[candidates.length];
        for (int c = 0; c < candidates.length; c++) {
            candidateRows[c] = rowIndices[candidates[c]];
            candidateVectors[c] = scored[candidates[c]].scores();
        }
        return new PositionReport(rowIndices.clone(), entropies, candidateRows, candidateVectors, row0, summed, sumCount);
    }

    /**
     * The positions in {@code rowIndices} of the context rows that can be the local choice once one row gets η: the
     * best without η, and every row whose entropy less η does not exceed it (ties included: the lower row wins a
     * tie). In ascending row order; a shard's rows are distinct.
     */
    private static int[] candidates(int[] rowIndices, double[] entropies, int bestRow, double bestEntropy, double eta) {
        if (bestRow < 0) {
            return new int[0];
        }
        return IntStream.range(0, rowIndices.length)
                .filter(i -> rowIndices[i] >= 1 && (rowIndices[i] == bestRow || entropies[i] - eta <= bestEntropy))
                .boxed().sorted(Comparator.comparingInt(i -> rowIndices[i])).mapToInt(Integer::intValue)
                .toArray();
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
