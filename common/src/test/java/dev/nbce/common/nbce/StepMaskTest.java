package dev.nbce.common.nbce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.common.step.NbceParams;
import dev.nbce.common.step.Pooling;
import dev.nbce.common.step.StepParams;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The constraint and logit bias act on every row before steps 1–3, on a copy of the logits. */
class StepMaskTest {
    private static final int VOCAB = 300;
    private static final int[] ROWS = {0, 1, 2, 3};

    private static float[][] logits(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] rows = new float[ROWS.length][VOCAB];
        for (float[] row : rows) {
            for (int v = 0; v < VOCAB; v++) {
                row[v] = (float) (random.nextGaussian() * 4);
            }
        }
        return rows;
    }

    private static long[] allowing(java.util.function.IntPredicate allowed) {
        long[] words = new long[(VOCAB + 63) / 64];
        for (int id = 0; id < VOCAB; id++) {
            if (allowed.test(id)) {
                words[id >> 6] |= 1L << id;
            }
        }
        return words;
    }

    @Test
    void aMaskThatAllowsEveryTokenChangesNoBit() {
        for (Pooling pooling : Pooling.values()) {
            for (double topP : new double[] {0.9, 1.0}) {
                StepParams params = new StepParams(topP, new NbceParams(0.25, 0.1, pooling));
                float[][] raw = logits(7);
                StepMask all = new StepMask(allowing(id -> true), new int[0], new float[0]);
                assertEquals(ShardReducer.reduce(ROWS, raw, params, 2), ShardReducer.reduce(ROWS, raw, params, 2, all));
            }
        }
    }

    @Test
    void everyRowIsScoredAsIfItsModelGaveDisallowedTokensNoMass() {
        StepParams params = new StepParams(0.95, new NbceParams(0.25, 0.1, Pooling.MIN_ENTROPY));
        float[][] raw = logits(11);
        float[][] before = new float[raw.length][];
        float[][] byHand = new float[raw.length][];
        for (int r = 0; r < raw.length; r++) {
            before[r] = raw[r].clone();
            byHand[r] = raw[r].clone();
            byHand[r][5] += 3f;
            for (int id = 0; id < VOCAB; id++) {
                if (id % 3 != 0 && id != 5) {
                    byHand[r][id] = Float.NEGATIVE_INFINITY;
                }
            }
        }
        StepMask mask = new StepMask(allowing(id -> id % 3 == 0 || id == 5), new int[] {5, 7}, new float[] {3f, 50f});
        ShardReport masked = ShardReducer.reduce(ROWS, raw, params, 1, mask);
        assertEquals(ShardReducer.reduce(ROWS, byHand, params, 1), masked, "bias first, then the mask (id 7 stays out)");
        assertArrayEquals(before, raw, "the forward's logits are not modified");
        for (ScoreVector v : new ScoreVector[] {masked.row0(), masked.best()}) {
            for (int k = 0; k < v.size(); k++) {
                assertTrue(mask.allows(v.idAt(k)), "only allowed tokens are scored: " + v.idAt(k));
            }
        }
        assertNotEquals(ShardReducer.reduce(ROWS, raw, params, 1), masked);
    }

    @Test
    void noMaskIsTheLogitsThemselves() {
        float[] row = logits(3)[0];
        assertSame(row, StepMask.NONE.apply(row));
        assertEquals(Float.NEGATIVE_INFINITY, new StepMask(new long[1], new int[0], new float[0]).apply(row)[0]);
        assertEquals(row[1] - 100f, new StepMask(null, new int[] {1}, new float[] {-100f}).apply(row)[1]);
        assertTrue(!new StepMask(new long[] {-1L}, new int[0], new float[0]).allows(64), "ids past the mask are not allowed");
    }
}
