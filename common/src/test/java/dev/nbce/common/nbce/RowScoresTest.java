package dev.nbce.common.nbce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RowScoresTest {
    private static final float NEG_INF = Float.NEGATIVE_INFINITY;

    private static float[] logs(double... probabilities) {
        float[] out = new float[probabilities.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) Math.log(probabilities[i]);
        }
        return out;
    }

    private static float[] topP(float[] logProbs, double topP) {
        float[] copy = logProbs.clone();
        RowScores.applyTopP(copy, topP);
        return copy;
    }

    private static int finite(float[] row) {
        int n = 0;
        for (float v : row) {
            n += v == NEG_INF ? 0 : 1;
        }
        return n;
    }

    @Test
    void logSoftmaxMatchesHandComputedValues() {
        // log(e^1 + e^2 + e^3) = 3.40760596444438
        float[] l = RowScores.logSoftmax(new float[] {1, 2, 3});
        assertArrayEquals(new float[] {-2.4076060f, -1.4076060f, -0.4076060f}, l, 1e-6f);
    }

    @Test
    void logSoftmaxMatchesTheDirectFormulaOnRandomRows() {
        SplittableRandom random = new SplittableRandom(31);
        for (int trial = 0; trial < 200; trial++) {
            float[] z = new float[1 + random.nextInt(500)];
            for (int i = 0; i < z.length; i++) {
                z[i] = (float) (random.nextGaussian() * 5);
            }
            double sum = 0;
            for (float v : z) {
                sum += Math.exp(v); // |z| stays small: no shift needed for the direct formula
            }
            float[] l = RowScores.logSoftmax(z);
            for (int i = 0; i < z.length; i++) {
                double direct = Math.log(Math.exp(z[i]) / sum);
                assertEquals(direct, l[i], Math.ulp((float) direct) + 1e-12, "trial " + trial + ", token " + i);
            }
        }
    }

    @Test
    void logSoftmaxIsShiftInvariantAndDoesNotOverflow() {
        float[] small = RowScores.logSoftmax(new float[] {0, 1, -2});
        float[] huge = RowScores.logSoftmax(new float[] {1000, 1001, 998});
        assertArrayEquals(small, huge, 1e-6f);
        double mass = 0;
        for (float v : huge) {
            mass += Math.exp(v);
        }
        assertEquals(1.0, mass, 1e-6);
    }

    @Test
    void logSoftmaxKeepsMaskedLogitsAtMinusInfinity() {
        float[] l = RowScores.logSoftmax(new float[] {NEG_INF, 0, 0});
        assertEquals(NEG_INF, l[0]);
        assertEquals((float) Math.log(0.5), l[1], 1e-7f);
    }

    @Test
    void topPOfOneOrMoreChangesNothing() {
        float[] row = logs(0.7, 0.2, 0.1);
        assertArrayEquals(row, topP(row, 1.0));
        assertArrayEquals(row, topP(row, 1.5));
    }

    @Test
    void topPMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> RowScores.applyTopP(logs(0.5, 0.5), 0));
        assertThrows(IllegalArgumentException.class, () -> RowScores.applyTopP(logs(0.5, 0.5), Double.NaN));
    }

    @Test
    void topPRemovesTheLeastProbableTailAsHuggingFaceDoes() {
        // ids hold 0.15, 0.5, 0.05, 0.3. Ascending cumsum: 0.05, 0.2, 0.5, 1.0.
        float[] row = logs(0.15, 0.5, 0.05, 0.3);
        // top_p 0.75: remove cum <= 0.25 -> 0.05 and 0.15 go.
        assertArrayEquals(new float[] {NEG_INF, row[1], NEG_INF, row[3]}, topP(row, 0.75));
        // top_p 0.9: remove cum <= 0.1 -> only 0.05 goes.
        assertArrayEquals(new float[] {row[0], row[1], NEG_INF, row[3]}, topP(row, 0.9));
        // top_p 0.3: remove cum <= 0.7 -> only the top token (cum 1.0) stays.
        assertArrayEquals(new float[] {NEG_INF, row[1], NEG_INF, NEG_INF}, topP(row, 0.3));
    }

    @Test
    void tinyTopPKeepsExactlyTheMostProbableToken() {
        float[] row = logs(0.1, 0.2, 0.4, 0.3);
        float[] kept = topP(row, 1e-9);
        assertEquals(1, finite(kept));
        assertEquals(row[2], kept[2]);
    }

    @Test
    void tiesAtTheTopKeepTheLowestIdFirst() {
        float[] row = logs(0.1, 0.3, 0.3, 0.3);
        float[] one = topP(row, 1e-9);
        assertEquals(1, finite(one));
        assertEquals(row[1], one[1]);
        // 0.5 of the mass needs two of the three tied tokens: ids 1 and 2, not 3.
        float[] two = topP(row, 0.5);
        assertArrayEquals(new float[] {NEG_INF, row[1], row[2], NEG_INF}, two);
    }

    @Test
    void topPKeepsFlatRowsWhole() {
        float[] flat = RowScores.logSoftmax(new float[1009]);
        assertEquals(959, finite(topP(flat, 0.95))); // ceil(0.95 · 1009) tokens hold the nucleus
    }

    @Test
    void entropyOfTruncatedRowIsNotRenormalised() {
        assertEquals(Math.log(2), RowScores.entropy(logs(0.5, 0.5)), 1e-7);
        // Truncating one of three equal tokens leaves 2·(1/3)·ln 3, not ln 2.
        float third = (float) Math.log(1.0 / 3);
        assertEquals(2.0 / 3 * Math.log(3), RowScores.entropy(new float[] {third, third, NEG_INF}), 1e-6);
    }

    @Test
    void entropyIsTheFormulaOverFiniteEntriesOnly() {
        // -Σ p·l over {0.5, 0.25, 0.125, 0.125}, with -inf entries between them adding nothing
        float[] row = {(float) Math.log(0.5), NEG_INF, (float) Math.log(0.25), NEG_INF, NEG_INF, (float) Math.log(0.125),
                (float) Math.log(0.125)};
        assertEquals(1.75 * Math.log(2), RowScores.entropy(row), 1e-7);
        assertEquals(0.0, RowScores.entropy(new float[] {NEG_INF, NEG_INF}));
        assertEquals(0.0, RowScores.entropy(new float[0]));
        // a (barely) positive log-prob from rounding is clipped to 0, not counted as negative entropy
        assertEquals(0.0, RowScores.entropy(new float[] {1e-7f}));
        // clip: l = -120 counts as -100 (weights are exp(l) either way)
        float far = -120f;
        float half = (float) Math.log(0.5);
        assertEquals(Math.exp(far) * 100 - Math.exp(half) * half, RowScores.entropy(new float[] {far, half}), 1e-15);
    }

    @Test
    void entropyClipsLogProbsAtMinus100() {
        double h = RowScores.entropy(new float[] {-150f, NEG_INF});
        assertEquals(100 * Math.exp(-150), h, 1e-6 * h); // clip(-150) = -100, weight exp(-150)
        assertEquals(0.0, RowScores.entropy(new float[] {0f, NEG_INF}));
    }

    @Test
    void candidateSelectionAgreesWithTheFullSortOnManyRows() {
        SplittableRandom random = new SplittableRandom(20240611);
        double[] topPs = {1e-6, 0.05, 0.3, 0.5, 0.8, 0.9, 0.95, 0.99, 0.999, 0.999999};
        int checked = 0;
        for (int trial = 0; trial < 600; trial++) {
            float[] row = RowScores.logSoftmax(randomLogits(random, trial));
            for (double p : new double[] {topPs[trial % topPs.length], random.nextDouble(1e-3, 1.0)}) {
                float[] expected = NaiveNbce.topPFullSort(row, p);
                float[] actual = topP(row, p);
                assertArrayEquals(expected, actual, "trial " + trial + " top_p " + p);
                checked++;
            }
        }
        assertEquals(1200, checked);
    }

    @Test
    void restatedRuleEqualsTheLiteralHuggingFaceRuleAwayFromRoundingTies() {
        SplittableRandom random = new SplittableRandom(7);
        int compared = 0;
        for (int trial = 0; trial < 400; trial++) {
            float[] row = RowScores.logSoftmax(randomLogits(random, trial));
            double p = random.nextDouble(0.01, 1.0);
            double[] closest = new double[1];
            float[] hf = NaiveNbce.topPHuggingFace(row, p, closest);
            if (closest[0] < 1e-9) {
                continue; // the two sums may round to different sides of the threshold
            }
            assertArrayEquals(hf, topP(row, p), "trial " + trial + " top_p " + p);
            compared++;
        }
        assertTrue(compared > 380, "compared " + compared);
    }

    @Test
    void largeVocabularyRowsMatchTheFullSort() {
        SplittableRandom random = new SplittableRandom(3);
        for (int trial = 0; trial < 3; trial++) {
            float[] logits = new float[152_064];
            double scale = trial == 0 ? 0.01 : 4.0 * trial; // nearly flat first, then more peaked
            for (int i = 0; i < logits.length; i++) {
                logits[i] = (float) (random.nextGaussian() * scale);
            }
            float[] row = RowScores.logSoftmax(logits);
            assertArrayEquals(NaiveNbce.topPFullSort(row, 0.95), topP(row, 0.95), "trial " + trial);
        }
    }

    /** Peaked, flat, normal, tied-at-the-top and partly masked rows of assorted sizes. */
    static float[] randomLogits(SplittableRandom random, int trial) {
        int vocab = 1 + random.nextInt(trial % 10 == 0 ? 5000 : 400);
        float[] logits = new float[vocab];
        switch (trial % 6) {
            case 0 -> Arrays.fill(logits, 0.5f); // flat
            case 1 -> {
                for (int i = 0; i < vocab; i++) {
                    logits[i] = (float) (random.nextGaussian() * 8); // peaked
                }
            }
            case 2 -> {
                for (int i = 0; i < vocab; i++) {
                    logits[i] = (float) random.nextGaussian();
                }
            }
            case 3 -> {
                for (int i = 0; i < vocab; i++) {
                    logits[i] = (float) (random.nextGaussian() * 2);
                }
                int ties = 1 + random.nextInt(Math.min(vocab, 5)); // several ids share the top score
                for (int t = 0; t < ties; t++) {
                    logits[random.nextInt(vocab)] = 9f;
                }
            }
            case 4 -> {
                for (int i = 0; i < vocab; i++) {
                    logits[i] = random.nextInt(4); // many ties everywhere
                }
            }
            default -> {
                for (int i = 0; i < vocab; i++) {
                    logits[i] = random.nextInt(3) == 0 ? NEG_INF : (float) (random.nextGaussian() * 3);
                }
                logits[random.nextInt(vocab)] = 0f;
            }
        }
        return logits;
    }
}
