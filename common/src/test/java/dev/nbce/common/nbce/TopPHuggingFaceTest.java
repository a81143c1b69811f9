package dev.nbce.common.nbce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link RowScores#applyTopP} against Hugging Face's {@code TopPLogitsWarper} written out literally
 * (sort ascending, softmax of the sorted values, cumulative sum, remove where {@code cum <= 1 - top_p},
 * always keep the top token) on thousands of random rows.
 */
class TopPHuggingFaceTest {
    private static final double[] TOP_PS = {0.1, 0.5, 0.9, 0.95, 0.99};
    /** Cumulative sums this close to the threshold may round to either side in any implementation. */
    private static final double ROUNDING = 1e-9;

    /** The warper's sorted row: token ids ascending and the cumulative softmax of the sorted values. */
    record Warped(int[] ascending, double[] cumulative) {
        /** Kept mask for a threshold, normally {@code 1 - topP}. */
        boolean[] kept(double threshold) {
            int v = ascending.length;
            boolean[] kept = new boolean[v];
            for (int i = 0; i < v; i++) {
                boolean remove = cumulative[i] <= threshold && i != v - 1; // min_tokens_to_keep = 1: the top one stays
                kept[ascending[i]] = !remove;
            }
            return kept;
        }
    }

    static Warped huggingFace(float[] logProbs) {
        int v = logProbs.length;
        int[] ascending = reversed(NaiveNbce.descending(logProbs)); // ties: higher id lower, as reversing a stable descending sort
        double max = logProbs[ascending[v - 1]];
        double[] exp = new double[v];
        double total = 0;
        for (int i = 0; i < v; i++) {
            exp[i] = Math.exp(logProbs[ascending[i]] - max); // softmax of the sorted values
            total += exp[i];
        }
        double[] cumulative = new double[v];
        double cum = 0;
        for (int i = 0; i < v; i++) {
            cum += exp[i] / total;
            cumulative[i] = cum;
        }
        return new Warped(ascending, cumulative);
    }

    private static int[] reversed(int[] a) {
        int[] out = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[a.length - 1 - i];
        }
        return out;
    }

    private static boolean[] productionKept(float[] logProbs, double topP) {
        float[] row = logProbs.clone();
        RowScores.applyTopP(row, topP);
        boolean[] kept = new boolean[row.length];
        for (int i = 0; i < row.length; i++) {
            // removed tokens become -inf, kept ones are untouched (bit for bit)
            assertTrue(row[i] == Float.NEGATIVE_INFINITY || Float.compare(row[i], logProbs[i]) == 0, "token " + i);
            kept[i] = row[i] != Float.NEGATIVE_INFINITY;
        }
        return kept;
    }

    @Test
    void keptSetsAreIdenticalToTheWarperOnThousandsOfRows() {
        SplittableRandom random = new SplittableRandom(95);
        int exact = 0;
        int nearThreshold = 0;
        int oneKept = 0;
        int manyKept = 0;
        for (int trial = 0; trial < 3000; trial++) {
            float[] row = RowScores.logSoftmax(randomLogits(random, trial));
            double topP = TOP_PS[trial % TOP_PS.length];
            boolean[] actual = productionKept(row, topP);
            Warped warped = huggingFace(row);
            boolean[] expected = warped.kept(1 - topP);
            boolean[] below = warped.kept(1 - topP - ROUNDING);
            boolean[] above = warped.kept(1 - topP + ROUNDING);
            String what = "trial " + trial + ", vocab " + row.length + ", top_p " + topP;
            if (java.util.Arrays.equals(below, above)) {
                assertArrayEquals(expected, actual, what);
                exact++;
            } else if (!java.util.Arrays.equals(actual, below) && !java.util.Arrays.equals(actual, above)) {
                fail(what + ": a cumulative sum lies on the threshold, and the kept set is neither rounding of it");
            } else {
                nearThreshold++;
            }
            int kept = count(actual);
            oneKept += kept == 1 ? 1 : 0;
            manyKept += kept > 50 ? 1 : 0;
        }
        assertTrue(nearThreshold < 150, "rows on the threshold: " + nearThreshold);
        assertEquals(3000, exact + nearThreshold);
        assertTrue(oneKept > 100 && manyKept > 300, "fixture covers both ends: " + oneKept + " / " + manyKept);
    }

    @Test
    void flatRowsKeepTheCeilingOfTopPTimesTheVocabulary() {
        // Away from exact ties (k/V = 1 - top_p), a flat row keeps ceil(top_p · V) tokens, the lowest ids.
        for (int vocab : new int[] {7, 33, 333, 4999}) {
            float[] row = RowScores.logSoftmax(new float[vocab]);
            for (double topP : TOP_PS) {
                boolean[] kept = productionKept(row, topP);
                int expected = (int) Math.ceil(topP * vocab);
                assertEquals(expected, count(kept), "vocab " + vocab + ", top_p " + topP);
                for (int i = 0; i < vocab; i++) {
                    assertEquals(i < expected, kept[i], "ties go to the lowest ids: token " + i);
                }
            }
        }
    }

    @Test
    void aTokenAboveTopPIsKeptAlone() {
        SplittableRandom random = new SplittableRandom(1);
        for (int trial = 0; trial < 200; trial++) {
            int vocab = 5 + random.nextInt(2000);
            float[] logits = new float[vocab];
            for (int i = 0; i < vocab; i++) {
                logits[i] = (float) random.nextGaussian();
            }
            int top = random.nextInt(vocab);
            logits[top] = 30f; // probability > 0.99999 for any of these vocabularies
            boolean[] kept = productionKept(RowScores.logSoftmax(logits), TOP_PS[trial % TOP_PS.length]);
            assertEquals(1, count(kept), "trial " + trial);
            assertTrue(kept[top]);
        }
    }

    @Test
    void topPOfOneIsANoOpEvenOnRowsWithMaskedTokens() {
        SplittableRandom random = new SplittableRandom(2);
        for (int trial = 0; trial < 50; trial++) {
            float[] row = RowScores.logSoftmax(randomLogits(random, trial));
            float[] copy = row.clone();
            RowScores.applyTopP(copy, 1.0);
            assertArrayEquals(row, copy);
        }
    }

    @Test
    void tinyTopPKeepsExactlyTheArgmax() {
        SplittableRandom random = new SplittableRandom(3);
        for (int trial = 0; trial < 300; trial++) {
            float[] row = RowScores.logSoftmax(randomLogits(random, trial));
            boolean[] kept = productionKept(row, 1e-12);
            assertEquals(1, count(kept), "trial " + trial);
            assertTrue(kept[NaiveNbce.descending(row)[0]], "the most probable token, lowest id among ties");
        }
    }

    private static int count(boolean[] kept) {
        int n = 0;
        for (boolean k : kept) {
            n += k ? 1 : 0;
        }
        return n;
    }

    /** Peaked, flat, normal, one dominant token, masked entries; vocabularies 5..5000, log-uniform. */
    private static float[] randomLogits(SplittableRandom random, int trial) {
        int vocab = (int) Math.round(Math.exp(random.nextDouble(Math.log(5), Math.log(5000))));
        float[] logits = new float[vocab];
        int kind = (trial / TOP_PS.length) % 5; // every top_p meets every kind
        for (int i = 0; i < vocab; i++) {
            logits[i] = switch (kind) {
                case 0 -> 0.25f; // flat
                case 1 -> (float) (random.nextGaussian() * 0.05); // nearly flat
                case 2 -> (float) random.nextGaussian();
                case 3 -> (float) (random.nextGaussian() * 6); // peaked
                default -> random.nextInt(4) == 0 ? Float.NEGATIVE_INFINITY : (float) (random.nextGaussian() * 3);
            };
        }
        if (kind == 4) {
            logits[random.nextInt(vocab)] = 2f; // at least one finite entry
        }
        if (kind == 3 && random.nextBoolean()) {
            logits[random.nextInt(vocab)] = 12f; // one dominant token
        }
        return logits;
    }
}
