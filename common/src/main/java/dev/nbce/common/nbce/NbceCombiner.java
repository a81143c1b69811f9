package dev.nbce.common.nbce;

import dev.nbce.common.request.NbceParams;
import dev.nbce.common.request.Pooling;
import java.util.List;

/**
 * The gateway's half of a step (DESIGN.md §2 steps 5–6): reduce the workers' reports across
 * shards, pool, and apply the β correction with the no-context row. The result does not depend
 * on how rows were spread over shards.
 */
public final class NbceCombiner {
    /**
     * @param chosenRow   the row with the lowest entropy (1-based; 0 when there are no context rows)
     * @param finalScores the scores to choose the token from
     */
    public record Combination(int chosenRow, ScoreVector finalScores) {}

    private NbceCombiner() {}

    public static Combination combine(List<ShardReport> shards, NbceParams params) {
        int chosenRow = -1;
        double chosenEntropy = Double.POSITIVE_INFINITY;
        ScoreVector chosenScores = null;
        ScoreVector row0 = null;
        for (ShardReport shard : shards) {
            if (shard.row0() != null) {
                row0 = shard.row0();
            }
            for (int i = 0; i < shard.rows().length; i++) {
                int row = shard.rows()[i];
                double h = shard.entropies()[i];
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
            return new Combination(0, row0); // no contexts: a plain generator on row 0
        }
        ScoreVector pooled;
        if (params.pooling() == Pooling.MIN_ENTROPY) {
            for (ShardReport shard : shards) {
                if (shard.bestRow() == chosenRow) {
                    chosenScores = shard.best();
                }
            }
            if (chosenScores == null) {
                throw new IllegalArgumentException("no shard sent the vector of row " + chosenRow);
            }
            pooled = chosenScores;
        } else {
            pooled = average(shards);
        }
        return new Combination(chosenRow, withBeta(pooled, row0, params.beta()));
    }

    /** final = (1+β)·p − β·l0 where l0 > −100, else p. */
    private static ScoreVector withBeta(ScoreVector pooled, ScoreVector row0, double beta) {
        double[] values = new double[pooled.size()];
        for (int i = 0; i < values.length; i++) {
            double p = pooled.valueAt(i);
            double l0 = row0.scoreOf(pooled.idAt(i));
            values[i] = l0 > -100 ? (1 + beta) * p - beta * l0 : p;
        }
        return new ScoreVector(pooled.vocabSize(), pooled.ids(), values);
    }

    /** Mean over all context rows: sums added across shards, kept only where finite in every shard. */
    private static ScoreVector average(List<ShardReport> shards) {
        double[] total = null;
        int[] present = null;
        int count = 0;
        int vocab = 0;
        int contributing = 0;
        for (ShardReport shard : shards) {
            if (shard.sum() == null) {
                continue;
            }
            ScoreVector sum = shard.sum();
            vocab = sum.vocabSize();
            if (total == null) {
                total = new double[vocab];
                present = new int[vocab];
            }
            for (int i = 0; i < sum.size(); i++) {
                int id = sum.idAt(i);
                total[id] += sum.valueAt(i);
                present[id]++;
            }
            count += shard.sumCount();
            contributing++;
        }
        if (total == null) {
            throw new IllegalArgumentException("average pooling: no shard sent a sum");
        }
        int kept = 0;
        for (int id = 0; id < vocab; id++) {
            if (present[id] == contributing && total[id] != Double.NEGATIVE_INFINITY) {
                kept++;
            }
        }
        int[] ids = new int[kept];
        double[] values = new double[kept];
        int at = 0;
        for (int id = 0; id < vocab; id++) {
            if (present[id] == contributing && total[id] != Double.NEGATIVE_INFINITY) {
                ids[at] = id;
                values[at++] = total[id] / count;
            }
        }
        return new ScoreVector(vocab, ids, values);
    }
}
