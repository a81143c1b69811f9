package dev.nbce.common.nbce;

import java.util.Arrays;

/**
 * The histogram that lets top-p avoid sorting the vocabulary: bins of 1/{@value #PER_NAT} nat of
 * log-prob, from the top, down to -64 nats, then one bin for everything lower. A bin is a
 * non-increasing function of the log-prob, so tied tokens share a bin and bin order is score order;
 * only the bin where the nucleus ends needs sorting.
 */
final class LogProbBins {
    static final int PER_NAT = 64;
    static final int COUNT = 64 * PER_NAT + 1;

    private LogProbBins() {}

    /** Bin of a log-prob: 0 for the most probable; -infinity, NaN and < -64 share the last. */
    static int of(float logProb) {
        double d = -logProb * PER_NAT;
        if (!(d < COUNT - 1)) {
            return COUNT - 1;
        }
        return d <= 0 ? 0 : (int) d;
    }

    /** Ids of one bin's {@code count} tokens by descending score, then ascending id. */
    static int[] inDescendingOrder(float[] logProbs, int bin, int count) {
        long[] keys = new long[count];
        int at = 0;
        for (int i = 0; i < logProbs.length && at < count; i++) {
            if (of(logProbs[i]) == bin) {
                // One primitive sort does both orders: high word = descending score, low word = id.
                keys[at++] = ((long) descendingBits(logProbs[i]) << 32) | i;
            }
        }
        Arrays.sort(keys);
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = (int) keys[i];
        }
        return order;
    }

    /** An int that orders floats from largest to smallest when compared as signed ints (-0 == +0 here). */
    private static int descendingBits(float value) {
        int bits = Float.floatToIntBits(value == 0 ? 0f : value);
        int ascending = bits >= 0 ? bits : bits ^ 0x7fffffff;
        return ~ascending;
    }
}
