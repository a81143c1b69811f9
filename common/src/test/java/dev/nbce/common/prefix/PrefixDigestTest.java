package dev.nbce.common.prefix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.nbce.common.wire.WireRoundTrip;
import dev.nbce.common.wire.WorkerStatus;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Block hashes name whole prefixes; a digest finds the leading blocks it holds and survives the wire. */
class PrefixDigestTest {
    @Test
    void aBlockHashStandsForTheWholePrefix() {
        int[] a = IntStream.range(0, 48).toArray();
        int[] b = a.clone();
        b[0] = 1000; // blocks 1 and 2 are equal token for token, their prefixes are not
        long[] ha = BlockHashes.of(a, 16, 10);
        long[] hb = BlockHashes.of(b, 16, 10);
        assertEquals(3, ha.length);
        for (int i = 0; i < 3; i++) {
            assertNotEquals(ha[i], hb[i], "block " + i);
        }
        assertEquals(ha[1], BlockHashes.of(IntStream.range(0, 40).toArray(), 16, 10)[1], "same prefix, same hash");
    }

    @Test
    void findsTheLeadingBlocksItHolds() {
        int[] row = new SplittableRandom(1).ints(100, 0, 1000).toArray();
        long[] hashes = BlockHashes.of(row, 16, 6);
        PrefixDigest firstThree = PrefixDigest.of(16, new long[] {hashes[0], hashes[1], hashes[2], hashes[4]});
        assertEquals(3, firstThree.cachedBlocks(row), "block 4 without block 3 does not count");
        assertEquals(0, PrefixDigest.EMPTY.cachedBlocks(row));
        // The last token is never restored: a 48-token row can use at most 2 blocks of 16.
        PrefixDigest all = PrefixDigest.of(16, hashes);
        assertEquals(2, all.cachedBlocks(java.util.Arrays.copyOf(row, 48)));
        assertEquals(0, all.cachedBlocks(new SplittableRandom(2).ints(100, 0, 1000).toArray()));
    }

    @Test
    void falsePositivesStayRareAndTheDigestCrossesTheWire() {
        SplittableRandom random = new SplittableRandom(3);
        long[] held = random.longs(5000).toArray();
        PrefixDigest digest = PrefixDigest.of(16, held);
        for (long h : held) {
            assertEquals(true, digest.mightHold(h));
        }
        long falsePositives = random.longs(100_000).filter(digest::mightHold).count();
        assertEquals(true, falsePositives < 5_000, falsePositives + " of 100000");
        WorkerStatus status = new WorkerStatus("w", "m", 8, 1, "a", null, digest);
        assertEquals(status, WireRoundTrip.roundTrip(status));
        assertEquals(PrefixDigest.EMPTY, WireRoundTrip.roundTrip(new WorkerStatus("w", "m", 8, 1, "a", null)).prefixes());
    }
}
