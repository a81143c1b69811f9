package dev.nbce.common.prefix;

/**
 * Chained hashes of a token sequence's full blocks: block {@code i}'s hash mixes block {@code i-1}'s
 * hash with its own tokens, so it stands for the whole prefix {@code tokens[0, (i+1) * block)}. Workers
 * name the prefixes they cache by these hashes and gateways compute the same ones from a row's tokens to
 * find the worker holding its longest prefix. A hash only guides placement; the worker's cache compares
 * the tokens themselves before reusing anything, so a collision can cost a miss, never a wrong answer.
 */
public final class BlockHashes {
    private static final long SEED = 0x9E3779B97F4A7C15L;

    private BlockHashes() {}

    /** The hashes of the first {@code min(maxBlocks, tokens.length / block)} full blocks, shortest prefix first. */
    public static long[] of(int[] tokens, int block, int maxBlocks) {
        if (block < 1) {
            throw new IllegalArgumentException("block must be at least 1 token, got " + block);
        }
        int blocks = Math.max(0, Math.min(maxBlocks, tokens.length / block));
        long[] out = new long[blocks];
        long h = SEED;
        for (int b = 0; b < blocks; b++) {
            h = next(h, tokens, b * block, block);
            out[b] = h;
        }
        return out;
    }

    /** The hash of the prefix that extends the one hashed {@code parent} by {@code tokens[from, from + count)}. */
    public static long next(long parent, int[] tokens, int from, int count) {
        long h = parent;
        for (int i = from; i < from + count; i++) {
            h = mix(h ^ (tokens[i] & 0xFFFFFFFFL));
        }
        return mix(h + count);
    }

    /** The hash a prefix of zero tokens has: the parent of every first block. */
    public static long root() {
        return SEED;
    }

    /** SplitMix64's finaliser: every input bit affects every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
