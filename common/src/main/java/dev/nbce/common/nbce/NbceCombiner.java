package dev.nbce.common.nbce;

import dev.nbce.common.step.NbceParams;
import dev.nbce.common.step.Pooling;
import java.util.List;

/**
 * The gateway's half of a step (docs/design.md: NBCE steps 5–6): reduce the workers' reports across
 * shards, pool, and apply the β correction with the no-context row. The result does not depend
 * on how rows were spread over shards, nor on the order of the shards.
 */
public final class NbceCombiner {
    /**
     * @param chosenRow   the context row with the lowest entropy (1-based, so window = row − 1); also
     *                    reported under average pooling; 0 when there are no context rows
     * @param finalScores the scores to choose the token from
     */
    public record Combination(int chosenRow, ScoreVector finalScores) {}

    private NbceCombiner() {}

    public static Combination combine(List<ShardReport> shards, NbceParams params) {
        ScoreVector row0 = null;
        int chosenRow = -1;
        double chosenEntropy = Double.POSITIVE_INFINITY;
        for (ShardReport shard : shards) {
            if (shard.row0() != null) {
                if (row0 != null) {
                    throw new IllegalArgumentException("two shards reported the no-context row");
                }
                row0 = shard.row0();
            }
            for (int i = 0; i < shard.rows().length; i++) {
                int row = shard.rows()[i];
                double h = shard.entropies()[i];
                // argmin over rows >= 1, ties to the lowest row (torch.argmin keeps the first)
                if (row >= 1 && (h < chosenEntropy || (h == chosenEntropy && row < chosenRow))) {
                    chosenEntropy = h;
                    chosenRow = row;
                }
            }
        }
        if (row0 == null) {
            throw new IllegalArgumentException("no shard reported the no-context row");
        }
        if (chosenRow < 0) {
            return new Combination(0, row0); // no context rows: a plain generator on row 0
        }
        ScoreVector pooled = params.pooling() == Pooling.MIN_ENTROPY ? vectorOf(chosenRow, shards) : average(shards);
        if (pooled.vocabSize() != row0.vocabSize()) {
            throw new IllegalArgumentException("shards disagree on the vocabulary size");
        }
        return new Combination(chosenRow, withBeta(pooled, row0, params.beta()));
    }

    /** The chosen row's vector, sent by the shard that holds it — whose local choice must be the same row. */
    private static ScoreVector vectorOf(int chosenRow, List<ShardReport> shards) {
        for (ShardReport shard : shards) {
            if (shard.bestRow() == chosenRow && shard.best() != null) {
                return shard.best();
            }
        }
        throw new IllegalArgumentException("no shard sent the vector of row " + chosenRow
                + " (its holder's local choice disagrees, or the reports are for average pooling)");
    }

    /** final[v] = (1+β)·p[v] − β·l0[v] where l0[v] > −100, else p[v]; −∞ in p stays −∞. */
    private static ScoreVector withBeta(ScoreVector pooled, ScoreVector row0, double beta) {
        double[] values = new double[pooled.size()];
        for (int i = 0; i < values.length; i++) {
            double p = pooled.valueAtIndex(i);
            double l0 = row0.valueAt(pooled.idAt(i));
            values[i] = l0 > -100 ? (1 + beta) * p - beta * l0 : p;
        }
        return new ScoreVector(pooled.vocabSize(), pooled.ids(), values);
    }

    /**
     * Mean over all context rows: the shards' sums added and divided by the total count; a token
     * stays only where every shard's sum holds it finite (−∞ in any row makes the mean −∞).
     */
    private static ScoreVector average(List<ShardReport> shards) {
        double[] total = null;
        int[] holders = null;
        int count = 0;
        int contributing = 0;
        for (ShardReport shard : shards) {
            ScoreVector sum = shard.sum();
            if (sum == null) {
                continue;
            }
            if (total == null) {
                total = new double[sum.vocabSize()];
                holders = new int[sum.vocabSize()];
            } else if (sum.vocabSize() != total.length) {
                throw new IllegalArgumentException("shards disagree on the vocabulary size");
            }
            for (int i = 0; i < sum.size(); i++) {
                int id = sum.idAt(i);
                total[id] += sum.valueAtIndex(i);
                holders[id]++;
            }
            count += shard.sumCount();
            contributing++;
        }
        if (total == null) {
            throw new IllegalArgumentException("average pooling: no shard sent a sum of its context rows");
        }
        for (int id = 0; id < total.length; id++) {
            if (holders[id] != contributing) {
                total[id] = Double.NEGATIVE_INFINITY;
            } else if (total[id] != Double.NEGATIVE_INFINITY) {
                total[id] /= count;
            }
        }
        return ScoreVector.sparseOf(total);
    }
}
