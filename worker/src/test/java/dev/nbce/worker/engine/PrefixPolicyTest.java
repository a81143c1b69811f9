package dev.nbce.worker.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.nbce.common.prefix.PrefixDigest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When rows are restored from and stored into the prefix cache, on a fake cache: no thread, no model. */
class PrefixPolicyTest {
    private final FakeBlocks blocks = new FakeBlocks();
    private final PrefixPolicy policy = new PrefixPolicy(blocks, "worker w1");

    /** A shard of {@code rows} rows; the rows' caches are never touched through the fake, so none is allocated. */
    private static RequestShard shard(int rows) {
        RequestShard shard = new RequestShard("r", null, -1, 0);
        for (int i = 0; i < rows; i++) {
            shard.addRow(i, null, 0);
        }
        return shard;
    }

    @Test
    void aNewRowPrefillsOnlyWhatTheCacheDoesNotHold() {
        assertEquals(4, policy.restore(null, new int[] {1, 2, 3, 4, 5}));
    }

    @Test
    void aPrefilledOpenIsStoredUnlessItsShardWasClosed() {
        policy.prefilled(shard(3), List.of(1, 2), true);
        assertEquals(2, blocks.stored.size(), "the rows of the open only");
        policy.prefilled(shard(3), List.of(0, 1, 2), false);
        assertEquals(2, blocks.stored.size(), "a report that found the rows corrupt closed the shard");
    }

    @Test
    void aRetiredRequestIsStoredWithItsAnswerUnlessStillPrefilling() {
        policy.retired(shard(2), false);
        assertEquals(2, blocks.stored.size(), "every row, for a follow-up turn");
        policy.retired(shard(2), true);
        policy.retired(null, false);
        assertEquals(2, blocks.stored.size(), "half-prefilled rows and unknown requests store nothing");
    }

    @Test
    void prunedRowsAreStoredForAFollowUp() {
        RequestShard shard = shard(3);
        RequestShard.Removed removed = shard.remove(new int[] {2, 1});
        policy.pruned(removed.caches());
        assertEquals(2, blocks.stored.size(), "a window selection's dropped rows keep their prefixes cached");
        assertEquals(1, shard.rowCount());
    }

    @Test
    void theDigestIsRebuiltOnlyWhenTheCacheChanged() {
        assertSame(PrefixDigest.EMPTY, policy.digest());
        policy.refreshDigest();
        assertEquals(0, blocks.digests, "nothing cached yet");
        policy.retired(shard(1), false);
        policy.refreshDigest();
        PrefixDigest first = policy.digest();
        assertNotSame(PrefixDigest.EMPTY, first);
        policy.refreshDigest();
        assertSame(first, policy.digest());
        assertEquals(1, blocks.digests);
        policy.retired(shard(1), false);
        policy.refreshDigest();
        assertEquals(2, blocks.digests);
        assertNotSame(first, policy.digest());
    }

    @Test
    void rowsEvictFromTheSameCache() {
        assertSame(blocks, policy.evictor());
    }
}
