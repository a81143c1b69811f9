package dev.nbce.common.nbce;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/** Step 7: choose the token from the final scores — greedy, or temperature / top-k sampling. */
public final class TokenSampler {
    private TokenSampler() {}

    /**
     * argmax; ties go to the lowest id (as torch.argmax). When every score is -infinity (average
     * pooling over rows whose nuclei do not overlap) that is id 0, as in the reference code.
     */
    public static int greedy(ScoreVector scores) {
        int best = -1;
        double bestValue = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < scores.size(); i++) {
            double v = scores.valueAtIndex(i);
            int id = scores.idAt(i);
            if (best < 0 || v > bestValue || (v == bestValue && id < best)) {
                best = id;
                bestValue = v;
            }
        }
        return bestValue == Double.NEGATIVE_INFINITY ? 0 : best;
    }

    /**
     * The generator a request samples with: {@link SplittableRandom} seeded with the request's seed
     * (same seed, same scores, same tokens — on any JVM), or randomly seeded when there is none.
     */
    public static RandomGenerator randomFor(Long seed) {
        return seed == null ? new SplittableRandom() : new SplittableRandom(seed);
    }

    /**
     * Samples from softmax(scores / temperature) over the finite scores, restricted to the
     * {@code topK} best when topK > 0 (ties at the k-th score: lowest ids first). Draws exactly one
     * {@code nextDouble()} per call, so a seeded generator ({@link #randomFor}) replays the same
     * tokens. Temperature 0 is greedy and draws nothing.
     *
     * <p>Weights are {@code exp((score - max) / temperature)}: the difference is finite and at most 0,
     * so any positive temperature, down to the smallest subnormal, gives weights in [0, 1] with the
     * best score at exactly 1 (a vanishing temperature tends to greedy, it never overflows to NaN).
     *
     * @throws IllegalStateException when a score is NaN or +infinity: an upstream bug, never sampled around
     */
    public static int sample(ScoreVector scores, double temperature, int topK, RandomGenerator random) {
        if (!(temperature > 0)) {
            return greedy(scores);
        }
        int n = 0;
        int[] ids = new int[scores.size()];
        double[] values = new double[scores.size()];
        for (int i = 0; i < scores.size(); i++) {
            double v = scores.valueAtIndex(i);
            if (Double.isNaN(v) || v == Double.POSITIVE_INFINITY) {
                throw new IllegalStateException("non-finite final score " + v + " for token " + scores.idAt(i));
            }
            if (v != Double.NEGATIVE_INFINITY) {
                ids[n] = scores.idAt(i);
                values[n++] = v;
            }
        }
        if (n == 0) {
            return greedy(scores); // nothing to sample from: the reference's argmax over all -infinity
        }
        boolean[] eligible = topK(values, n, topK);
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            if (eligible[i]) {
                max = Math.max(max, values[i]);
            }
        }
        double total = 0;
        double[] weights = new double[n];
        for (int i = 0; i < n; i++) {
            if (eligible[i]) {
                weights[i] = Math.exp((values[i] - max) / temperature);
                total += weights[i];
            }
        }
        double target = random.nextDouble() * total;
        double running = 0;
        int last = -1;
        for (int i = 0; i < n; i++) {
            if (weights[i] > 0) {
                running += weights[i];
                last = i;
                if (target < running) {
                    return ids[i];
                }
            }
        }
        return ids[last];
    }

    /** The k best entries; at the boundary, ties are kept in id order until there are exactly k. */
    private static boolean[] topK(double[] values, int n, int k) {
        boolean[] keep = new boolean[n];
        if (k <= 0 || k >= n) {
            Arrays.fill(keep, true);
            return keep;
        }
        double[] sorted = Arrays.copyOf(values, n);
        Arrays.sort(sorted);
        double cutoff = sorted[n - k];
        int kept = 0;
        for (int i = 0; i < n; i++) {
            if (values[i] > cutoff) {
                keep[i] = true;
                kept++;
            }
        }
        for (int i = 0; i < n && kept < k; i++) {
            if (values[i] == cutoff) {
                keep[i] = true;
                kept++;
            }
        }
        return keep;
    }
}
