package dev.nbce.common.prefix;

import java.util.Arrays;

/**
 * A compact, lossy summary of the prefixes a worker caches: a Bloom filter over their block hashes
 * ({@link BlockHashes}), announced with the worker's status so any gateway can place a row on the worker
 * that probably holds its longest prefix. A false positive only costs a cache miss there; the worker
 * compares tokens before it reuses anything.
 *
 * @param blockTokens the worker's block size in tokens
 * @param bits        the filter, a power-of-two number of 32-bit words (none: holds nothing)
 */
public record PrefixDigest(int blockTokens, int[] bits) {
    public static final PrefixDigest EMPTY = new PrefixDigest(1, new int[0]);
    private static final int PROBES = 3;
    /** 16 KiB at most per announcement; beyond ~8,000 blocks false positives rise, placement stays correct. */
    private static final int MAX_WORDS = 4096;
    private static final int BITS_PER_BLOCK = 16;

    public PrefixDigest {
        if (blockTokens < 1) {
            throw new IllegalArgumentException("block must be at least 1 token, got " + blockTokens);
        }
        bits = bits == null ? new int[0] : bits;
        if (bits.length != 0 && Integer.bitCount(bits.length) != 1) {
            throw new IllegalArgumentException("digest words must be a power of two, got " + bits.length);
        }
    }

    /** The digest of the given block hashes. */
    public static PrefixDigest of(int blockTokens, long[] hashes) {
        if (hashes.length == 0) {
            return new PrefixDigest(blockTokens, new int[0]);
        }
        long wanted = Math.min(MAX_WORDS, Math.max(32, (long) hashes.length * BITS_PER_BLOCK / 32));
        int[] bits = new int[Integer.highestOneBit((int) (wanted * 2 - 1))];
        for (long h : hashes) {
            for (int p = 0; p < PROBES; p++) {
                int bit = probe(h, p, bits.length * 32);
                bits[bit >>> 5] |= 1 << (bit & 31);
            }
        }
        return new PrefixDigest(blockTokens, bits);
    }

    public boolean mightHold(long hash) {
        if (bits.length == 0) {
            return false;
        }
        for (int p = 0; p < PROBES; p++) {
            int bit = probe(hash, p, bits.length * 32);
            if ((bits[bit >>> 5] & (1 << (bit & 31))) == 0) {
                return false;
            }
        }
        return true;
    }

    /** Leading full blocks of {@code tokens} (the last token excluded: a row always computes it) probably held. */
    public int cachedBlocks(int[] tokens) {
        if (bits.length == 0 || tokens.length < 2) {
            return 0;
        }
        long[] hashes = BlockHashes.of(tokens, blockTokens, (tokens.length - 1) / blockTokens);
        int n = 0;
        while (n < hashes.length && mightHold(hashes[n])) {
            n++;
        }
        return n;
    }

    /** Double hashing over the two halves of the 64-bit hash; {@code size} is a power of two. */
    private static int probe(long hash, int p, int size) {
        int h1 = (int) hash;
        int h2 = (int) (hash >>> 32) | 1;
        return (h1 + p * h2) & (size - 1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PrefixDigest d && d.blockTokens == blockTokens && Arrays.equals(d.bits, bits);
    }

    @Override
    public int hashCode() {
        return blockTokens * 31 + Arrays.hashCode(bits);
    }

    @Override
    public String toString() {
        return "PrefixDigest[block=" + blockTokens + ", words=" + bits.length + "]";
    }
}
