package dev.nbce.common.nbce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.common.step.NbceParams;
import dev.nbce.common.step.Pooling;
import dev.nbce.common.step.StepParams;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A drafted position's report, resolved at the gateway with whichever row was chosen before it, is the report the
 * worker sends when it knows that row: same entropies, same best row, same vector (docs/speculative-decoding.md).
 * The oracle is the per-step reduction written out here as docs/design.md states it.
 */
class PositionReportTest {
    @Test
    void resolvingWithAnyPreviousRowGivesTheReportOfThatRow() {
        SplittableRandom random = new SplittableRandom(23);
        int checked = 0;
        for (int trial = 0; trial < 400; trial++) {
            int rows = 1 + random.nextInt(7);
            int vocab = 2 + random.nextInt(40);
            boolean withRow0 = random.nextBoolean();
            int[] rowIndices = new int[rows];
            for (int i = 0; i < rows; i++) {
                rowIndices[i] = withRow0 ? i : i + 1 + trial % 3;
            }
            float[][] logits = new float[rows][vocab];
            // Few distinct values: ties within a row and equal entropies across rows happen often.
            boolean copies = random.nextInt(4) == 0;
            for (int r = 0; r < rows; r++) {
                for (int v = 0; v < vocab; v++) {
                    logits[r][v] = copies && r > 0 ? logits[0][v] : random.nextInt(5) * 0.75f;
                }
            }
            double eta = new double[] {0, 0.1, 0.5, 5}[random.nextInt(4)];
            double topP = new double[] {0.3, 0.95, 1.0}[random.nextInt(3)];
            Pooling pooling = random.nextInt(3) == 0 ? Pooling.AVERAGE : Pooling.MIN_ENTROPY;
            StepParams params = new StepParams(topP, new NbceParams(0.25, eta, pooling));
            PositionReport position = ShardReducer.reducePosition(rowIndices, logits, params, StepMask.NONE);
            for (int previous = -1; previous <= rowIndices[rows - 1] + 1; previous++) {
                ShardReport expected = oracle(rowIndices, logits, params, previous);
                assertEquals(expected, position.resolve(previous, params.nbce()),
                        "trial " + trial + ", previous row " + previous);
                checked++;
            }
        }
        assertTrue(checked > 1000, "checked " + checked);
    }

    @Test
    void sendsOnlyTheRowsThatCanWinAndRefusesToResolveToAnotherRow() {
        StepParams params = new StepParams(0.95, new NbceParams(0.25, 0.1, Pooling.MIN_ENTROPY));
        float[] confident = {9, 0, 0, 0};
        float[] unsure = {1, 1, 1, 0.9f};
        PositionReport position = ShardReducer.reducePosition(new int[] {0, 1, 2, 3},
                new float[][] {unsure, confident, unsure, confident.clone()}, params, StepMask.NONE);
        assertArrayEquals(new int[] {1, 3}, position.candidateRows(), "row 2 is further than η from the best");
        assertEquals(3, position.resolve(3, params.nbce()).bestRow(), "η makes row 3 win its tie with row 1");
        assertEquals(1, position.resolve(2, params.nbce()).bestRow());
        PositionReport missing = new PositionReport(position.rows(), position.entropies(), new int[] {3},
                new ScoreVector[] {position.candidates()[1]}, position.row0(), null, 0);
        assertThrows(IllegalStateException.class, () -> missing.resolve(-1, params.nbce()));
    }

    @Test
    void candidatesComeInRowOrderWithTheirOwnVectorsWhateverTheShardsOrder() {
        StepParams params = new StepParams(0.95, new NbceParams(0.25, 0.1, Pooling.MIN_ENTROPY));
        float[] confident = {9, 0, 0, 0};
        float[] lessSo = {8.99f, 0, 0, 0.5f};
        float[] unsure = {1, 1, 1, 0.9f};
        int[] rowIndices = {5, 0, 2, 3};
        float[][] logits = {lessSo, unsure, confident, unsure};
        PositionReport position = ShardReducer.reducePosition(rowIndices, logits, params, StepMask.NONE);
        assertArrayEquals(new int[] {2, 5}, position.candidateRows());
        assertEquals(RowScores.score(confident, 0.95).scores(), position.candidates()[0]);
        assertEquals(RowScores.score(lessSo, 0.95).scores(), position.candidates()[1]);
    }

    /** docs/design.md steps 1–5 for one shard, knowing the previous choice (the per-step worker's reduction). */
    private static ShardReport oracle(int[] rowIndices, float[][] logits, StepParams params, int previous) {
        double[] entropies = new double[rowIndices.length];
        int bestRow = -1;
        double bestEntropy = Double.POSITIVE_INFINITY;
        ScoreVector best = null;
        ScoreVector row0 = null;
        double[] sum = null;
        int[] hits = null;
        int count = 0;
        for (int i = 0; i < rowIndices.length; i++) {
            ScoredRow scored = RowScores.score(logits[i], params.topP());
            double h = scored.entropy();
            if (rowIndices[i] == previous) {
                h -= params.nbce().eta();
            }
            entropies[i] = h;
            if (rowIndices[i] == 0) {
                row0 = scored.scores();
                continue;
            }
            if (h < bestEntropy || (h == bestEntropy && rowIndices[i] < bestRow)) {
                bestEntropy = h;
                bestRow = rowIndices[i];
                best = scored.scores();
            }
            if (params.nbce().pooling() == Pooling.AVERAGE) {
                ScoreVector v = scored.scores();
                sum = sum == null ? new double[v.vocabSize()] : sum;
                hits = hits == null ? new int[v.vocabSize()] : hits;
                for (int k = 0; k < v.size(); k++) {
                    sum[v.idAt(k)] += v.valueAtIndex(k);
                    hits[v.idAt(k)]++;
                }
                count++;
            }
        }
        ScoreVector summed = null;
        if (sum != null) {
            if (params.topP() >= 1) {
                summed = new ScoreVector(sum.length, null, sum);
            } else {
                for (int v = 0; v < sum.length; v++) {
                    if (hits[v] != count) {
                        sum[v] = Double.NEGATIVE_INFINITY;
                    }
                }
                summed = ScoreVector.sparseOf(sum);
            }
        }
        boolean min = params.nbce().pooling() == Pooling.MIN_ENTROPY;
        return new ShardReport(rowIndices.clone(), entropies, bestRow, min ? best : null, row0, summed, count);
    }
}
