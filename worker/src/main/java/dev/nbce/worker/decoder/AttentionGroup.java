package dev.nbce.worker.decoder;

import java.util.Arrays;

/**
 * Rows of a step that attend together, and the padded layout they attend in.
 *
 * <p>The group's new tokens occupy {@code [firstToken, firstToken + tokens)} of the step's packed
 * token axis, member after member. For attention they are right-padded to the longest member
 * ({@code q}, layout {@code [members, q, ...]}) and each member's past is padded to the longest
 * cached length ({@code past}). When every member brings the same number of tokens the packed and
 * padded layouts are the same memory.
 *
 * <p>Keys are {@code [past slots | new slots]}. Member {@code i} may look at past slot {@code p} iff
 * {@code p < pastLengths[i]}, and new query {@code j} at new slot {@code j'} iff {@code j' <= j}
 * (causality; for real queries {@code j < counts[i]} this also hides the padded new slots). A
 * sliding window W further hides keys W or more positions before the query. A real query always
 * sees itself, so no real row of scores is all masked. Padded queries compute finite garbage that
 * is never read.
 */
final class AttentionGroup {
    /** Indices of the member rows in the step's row list, in packed order. */
    final int[] members;
    final int firstToken;
    final int tokens;
    /** New positions per member after padding. */
    final int q;
    /** Past slots per member after padding. */
    final int past;
    final int[] counts;
    final int[] pastLengths;
    /** Each member's first new token, relative to {@link #firstToken}. */
    private final int[] offsets;

    AttentionGroup(int[] members, int firstToken, int[] counts, int[] pastLengths) {
        this.members = members;
        this.firstToken = firstToken;
        this.counts = counts;
        this.pastLengths = pastLengths;
        this.q = Arrays.stream(counts).max().orElseThrow();
        this.past = Arrays.stream(pastLengths).max().orElseThrow();
        this.offsets = new int[members.length];
        int total = 0;
        for (int i = 0; i < members.length; i++) {
            offsets[i] = total;
            total += counts[i];
        }
        this.tokens = total;
    }

    int size() {
        return members.length;
    }

    /** Each member's first new token in the step's packed layout. */
    int tokenOffset(int member) {
        return firstToken + offsets[member];
    }

    /** Whether the group's packed {@code [tokens]} and padded {@code [members, q]} are the same layout. */
    boolean rectangular() {
        return tokens == size() * q;
    }

    /**
     * {@code [members * q]}: the group-relative packed token at each padded slot. Padding slots
     * repeat the member's first token, which keeps them finite; causality hides them.
     */
    long[] paddedFromPacked() {
        long[] index = new long[size() * q];
        for (int i = 0; i < size(); i++) {
            for (int j = 0; j < q; j++) {
                index[i * q + j] = offsets[i] + (j < counts[i] ? j : 0);
            }
        }
        return index;
    }

    /** {@code [tokens]}: the padded slot of each of the group's packed tokens. */
    long[] packedFromPadded() {
        long[] index = new long[tokens];
        for (int i = 0; i < size(); i++) {
            for (int j = 0; j < counts[i]; j++) {
                index[offsets[i] + j] = (long) i * q + j;
            }
        }
        return index;
    }

    /**
     * Whether a past mask hides anything under {@code window} (0 = full attention): some member's
     * past is shorter than {@link #past}, or some real query is {@code window} or more positions
     * after a cached key.
     */
    boolean pastMaskNeeded(int window) {
        for (int i = 0; i < size(); i++) {
            if (pastLengths[i] < past || (window > 0 && pastLengths[i] > 0 && pastLengths[i] + counts[i] - 1 >= window)) {
                return true;
            }
        }
        return false;
    }

    /** Query rows of the past mask: one when only padding is hidden, else one per new slot. */
    int pastMaskQueries(int window) {
        return window > 0 && past + q - 1 >= window ? q : 1;
    }

    /**
     * Additive {@code [members, queries, past]} mask ({@code queries} = {@link #pastMaskQueries}):
     * member {@code i}'s query {@code j} (position {@code pastLengths[i] + j}) sees cached slot
     * {@code p} iff {@code p < pastLengths[i]} and, with a window W, {@code pastLengths[i] + j - p < W}.
     */
    float[] pastMask(int window) {
        int queries = pastMaskQueries(window);
        float[] mask = new float[size() * queries * past];
        for (int i = 0; i < size(); i++) {
            for (int j = 0; j < queries; j++) {
                int rowStart = (i * queries + j) * past;
                // Keys p <= position - W are outside the window; p >= pastLengths[i] are padding.
                int firstVisible = window > 0 ? Math.max(0, pastLengths[i] + j - window + 1) : 0;
                Arrays.fill(mask, rowStart, rowStart + Math.min(firstVisible, past), Float.NEGATIVE_INFINITY);
                Arrays.fill(mask, rowStart + pastLengths[i], rowStart + past, Float.NEGATIVE_INFINITY);
            }
        }
        return mask;
    }

    /**
     * Additive causal mask over the new slots for grouped queries, {@code [heads per kv * q, q]}:
     * query {@code (g, j)} sees new slot {@code j'} iff {@code j' <= j} and, with a window W,
     * {@code j - j' < W} (new slots of one member are consecutive positions). Only needed when
     * {@code q > 1}.
     */
    float[] causalMask(int headsPerKv, int window) {
        float[] mask = new float[headsPerKv * q * q];
        for (int g = 0; g < headsPerKv; g++) {
            for (int j = 0; j < q; j++) {
                int rowStart = (g * q + j) * q;
                if (window > 0 && j - window + 1 > 0) {
                    Arrays.fill(mask, rowStart, rowStart + j - window + 1, Float.NEGATIVE_INFINITY);
                }
                Arrays.fill(mask, rowStart + j + 1, rowStart + q, Float.NEGATIVE_INFINITY);
            }
        }
        return mask;
    }
}
