package dev.nbce.common.nbce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class TokenSamplerTest {
    private static final double NEG_INF = Double.NEGATIVE_INFINITY;

    private static ScoreVector dense(double... values) {
        return new ScoreVector(values.length, null, values);
    }

    /** log-probs for the given probabilities over ids 0..n-1. */
    private static ScoreVector logs(double... probabilities) {
        double[] values = new double[probabilities.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = Math.log(probabilities[i]);
        }
        return dense(values);
    }

    @Test
    void greedyTakesTheArgmaxWithTiesToTheLowestId() {
        assertEquals(2, TokenSampler.greedy(dense(-3, -1, -0.5, -2)));
        assertEquals(1, TokenSampler.greedy(dense(-3, -0.5, -0.5, -0.5)));
        ScoreVector sparse = new ScoreVector(100, new int[] {7, 40, 93}, new double[] {-1.0, -0.25, -0.25});
        assertEquals(40, TokenSampler.greedy(sparse));
    }

    @Test
    void greedyOverNothingFiniteIsIdZeroAsTorchArgmax() {
        assertEquals(0, TokenSampler.greedy(new ScoreVector(50, new int[0], new double[0])));
        assertEquals(0, TokenSampler.greedy(dense(NEG_INF, NEG_INF)));
    }

    @Test
    void temperatureZeroIsGreedyAndDrawsNothing() {
        ScoreVector scores = dense(-2, -0.1, -3);
        SplittableRandom random = new SplittableRandom(9);
        long before = new SplittableRandom(9).nextLong();
        assertEquals(1, TokenSampler.sample(scores, 0.0, 0, random));
        assertEquals(before, random.nextLong(), "greedy must not consume randomness");
    }

    @Test
    void aSeedReplaysTheSameTokens() {
        ScoreVector scores = logs(0.1, 0.2, 0.3, 0.25, 0.15);
        int[] first = draws(scores, 1.0, 0, TokenSampler.randomFor(1234L), 200);
        int[] again = draws(scores, 1.0, 0, TokenSampler.randomFor(1234L), 200);
        int[] other = draws(scores, 1.0, 0, TokenSampler.randomFor(4321L), 200);
        assertEquals(java.util.Arrays.toString(first), java.util.Arrays.toString(again));
        assertNotEquals(java.util.Arrays.toString(first), java.util.Arrays.toString(other));
    }

    @Test
    void frequenciesFollowTheSoftmaxOfTheScores() {
        int[] counts = histogram(draws(logs(0.5, 0.3, 0.2), 1.0, 0, new SplittableRandom(11), 40_000), 3);
        assertEquals(0.5, counts[0] / 40_000.0, 0.015);
        assertEquals(0.3, counts[1] / 40_000.0, 0.015);
        assertEquals(0.2, counts[2] / 40_000.0, 0.015);
    }

    @Test
    void temperatureSharpensOrFlattens() {
        ScoreVector scores = logs(0.5, 0.3, 0.2);
        int[] cold = histogram(draws(scores, 0.25, 0, new SplittableRandom(3), 20_000), 3);
        int[] hot = histogram(draws(scores, 50, 0, new SplittableRandom(3), 30_000), 3);
        // T = 0.25 gives p ∝ p^4: 0.0625 : 0.0081 : 0.0016 -> the first ~ 0.865
        assertEquals(0.865, cold[0] / 20_000.0, 0.015);
        for (int c : hot) {
            assertEquals(1.0 / 3, c / 30_000.0, 0.02);
        }
    }

    @Test
    void topKRestrictsToTheBestTokensWithTiesByLowestId() {
        ScoreVector scores = dense(-1.0, -0.5, -3.0, -0.5, -2.0, -0.7);
        int[] counts = histogram(draws(scores, 1.0, 2, new SplittableRandom(5), 5_000), 6);
        assertTrue(counts[1] > 0 && counts[3] > 0);
        assertEquals(5_000, counts[1] + counts[3], "only ids 1 and 3 are in the top 2");
        int[] three = histogram(draws(scores, 1.0, 3, new SplittableRandom(5), 5_000), 6);
        assertEquals(5_000, three[1] + three[3] + three[5]);
        int[] tie = histogram(draws(dense(-1, -1, -1, -1), 1.0, 1, new SplittableRandom(6), 100), 4);
        assertEquals(100, tie[0], "top-1 of a four-way tie is the lowest id");
    }

    @Test
    void neverSamplesMinusInfinity() {
        ScoreVector scores = dense(NEG_INF, -1, NEG_INF, -1.2, NEG_INF);
        int[] counts = histogram(draws(scores, 5.0, 0, new SplittableRandom(8), 5_000), 5);
        assertEquals(5_000, counts[1] + counts[3]);
        ScoreVector sparse = new ScoreVector(1000, new int[] {17, 999}, new double[] {-0.1, -2.4});
        int[] sparseCounts = histogram(draws(sparse, 1.0, 0, new SplittableRandom(8), 2_000), 1000);
        assertEquals(2_000, sparseCounts[17] + sparseCounts[999]);
    }

    @Test
    void topKOfOneIsGreedyOnRandomScores() {
        SplittableRandom random = new SplittableRandom(12);
        for (int trial = 0; trial < 300; trial++) {
            int vocab = 1 + random.nextInt(300);
            double[] values = new double[vocab];
            for (int v = 0; v < vocab; v++) {
                // coarse values so that ties at the top are common; some tokens masked
                values[v] = random.nextInt(5) == 0 ? NEG_INF : -random.nextInt(6) * 0.5;
            }
            values[random.nextInt(vocab)] = -0.25;
            ScoreVector scores = trial % 2 == 0 ? dense(values) : sparse(values);
            int greedy = TokenSampler.greedy(scores);
            assertEquals(greedy, TokenSampler.sample(scores, 0.8, 1, new SplittableRandom(trial)), "trial " + trial);
            assertEquals(greedy, firstMax(values), "trial " + trial);
        }
    }

    @Test
    void eachSampleDrawsExactlyOneDouble() {
        ScoreVector scores = logs(0.1, 0.2, 0.3, 0.25, 0.15);
        SplittableRandom used = new SplittableRandom(77);
        SplittableRandom mirror = new SplittableRandom(77);
        for (int i = 0; i < 50; i++) {
            TokenSampler.sample(scores, 0.9, i % 3, used);
            mirror.nextDouble();
        }
        assertEquals(mirror.nextLong(), used.nextLong());
    }

    @Test
    void samplingIsAFunctionOfTheDrawnNumber() {
        // Inverse-CDF over ids in ascending order: the draw u picks the first id whose cumulative weight exceeds u.
        ScoreVector scores = logs(0.5, 0.25, 0.25);
        assertEquals(0, TokenSampler.sample(scores, 1.0, 0, fixed(0.0)));
        assertEquals(0, TokenSampler.sample(scores, 1.0, 0, fixed(0.49)));
        assertEquals(1, TokenSampler.sample(scores, 1.0, 0, fixed(0.51)));
        assertEquals(2, TokenSampler.sample(scores, 1.0, 0, fixed(0.76)));
        assertEquals(2, TokenSampler.sample(scores, 1.0, 0, fixed(Math.nextDown(1.0))));
        ScoreVector masked = new ScoreVector(6, new int[] {1, 4}, new double[] {Math.log(0.5), Math.log(0.5)});
        assertEquals(4, TokenSampler.sample(masked, 1.0, 0, fixed(Math.nextDown(1.0))), "the last finite id, never a masked one");
    }

    @Test
    void frequenciesFollowTheTemperedSoftmaxOverASparseVector() {
        double[] logits = {-0.3, -1.1, -2.0, -0.7, -4.0};
        int[] ids = {2, 10, 11, 40, 99};
        ScoreVector scores = new ScoreVector(100, ids, logits);
        double t = 0.7;
        double z = 0;
        for (double l : logits) {
            z += Math.exp(l / t);
        }
        int n = 60_000;
        int[] counts = histogram(draws(scores, t, 0, TokenSampler.randomFor(2024L), n), 100);
        int sampled = 0;
        for (int i = 0; i < ids.length; i++) {
            double p = Math.exp(logits[i] / t) / z;
            double sd = Math.sqrt(p * (1 - p) / n);
            assertEquals(p, counts[ids[i]] / (double) n, 5 * sd + 1e-4, "id " + ids[i]);
            sampled += counts[ids[i]];
        }
        assertEquals(n, sampled, "only the stored (finite) ids are ever drawn");
    }

    private static RandomGenerator fixed(double u) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new UnsupportedOperationException();
            }

            @Override
            public double nextDouble() {
                return u;
            }
        };
    }

    private static ScoreVector sparse(double[] values) {
        int n = 0;
        for (double v : values) {
            n += v == NEG_INF ? 0 : 1;
        }
        int[] ids = new int[n];
        double[] kept = new double[n];
        int at = 0;
        for (int i = 0; i < values.length; i++) {
            if (values[i] != NEG_INF) {
                ids[at] = i;
                kept[at++] = values[i];
            }
        }
        return new ScoreVector(values.length, ids, kept);
    }

    private static int firstMax(double[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * Every positive temperature down to the smallest subnormal samples a real token: scores divided
     * by such a temperature overflow to -infinity, which once made every weight NaN and the sampler
     * read index -1. A vanishing temperature tends to greedy (ties shared), whatever the scores' scale.
     */
    @Test
    void subnormalAndTinyTemperaturesTendToGreedy() {
        ScoreVector scores = dense(-5.2, -0.7, NEG_INF, -0.9, -3);
        RandomGenerator random = new SplittableRandom(7);
        for (double t : new double[] {Double.MIN_VALUE, Double.MIN_NORMAL, 1e-300, 1e-30, 1e-12}) {
            for (int i = 0; i < 50; i++) {
                assertEquals(1, TokenSampler.sample(scores, t, 0, random), "temperature " + t);
                assertEquals(1, TokenSampler.sample(scores, t, 2, random), "temperature " + t + ", top-k 2");
            }
        }
        // Two tokens tied at the top share the draws at a vanishing temperature; nothing else is drawn.
        int[] counts = histogram(draws(dense(-1, -0.25, -0.25, -4), Double.MIN_VALUE, 0, random, 2000), 4);
        assertEquals(0, counts[0] + counts[3]);
        assertTrue(counts[1] > 800 && counts[2] > 800, "ties split: " + counts[1] + " / " + counts[2]);
    }

    /** A NaN or +infinity score is an upstream bug: it is reported, never silently sampled around. */
    @Test
    void nonFiniteScoresAreRefused() {
        RandomGenerator random = new SplittableRandom(1);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> TokenSampler.sample(dense(-1, Double.NaN, -2), 0.7, 0, random));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> TokenSampler.sample(dense(-1, Double.POSITIVE_INFINITY), 1.0, 0, random));
    }

    private static int[] draws(ScoreVector scores, double temperature, int topK, RandomGenerator random, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = TokenSampler.sample(scores, temperature, topK, random);
        }
        return out;
    }

    private static int[] histogram(int[] ids, int vocab) {
        int[] counts = new int[vocab];
        for (int id : ids) {
            counts[id]++;
        }
        return counts;
    }
}
