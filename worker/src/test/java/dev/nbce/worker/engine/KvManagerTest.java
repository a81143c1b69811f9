package dev.nbce.worker.engine;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The KV budget shared by row reservations and the prefix cache, on plain objects: no thread, no model. */
class KvManagerTest {
    /** 100 tokens of 10 bytes. */
    private final KvManager kv = new KvManager(new KvBudget(10, 1000));

    private static RequestShard shard(String id) {
        return new RequestShard(id, null, -1, 0);
    }

    @Test
    void reservationsTakeFreeTokensUntilReleased() {
        RequestShard a = shard("a");
        kv.reserve(a, 30);
        kv.reserve(a, 20);
        assertEquals(50, kv.freeKvTokens());
        assertEquals(500, kv.unreservedBytes(), "what the prefix cache may hold now");
        assertEquals(50, a.reservedTokens(), "the shard keeps its reservations for its release");
        kv.release(a);
        assertEquals(100, kv.freeKvTokens());
        assertEquals(1000, kv.unreservedBytes());
    }

    @Test
    void rowsThatDoNotFitAreRefusedWithARetryableCapacityError() {
        kv.reserve(shard("a"), 60);
        assertDoesNotThrow(() -> kv.checkFits(40, "worker w1"));
        NbceException e = assertThrows(NbceException.class, () -> kv.checkFits(41, "worker w1"));
        assertEquals(ErrorCode.CAPACITY, e.code());
        assertEquals("worker w1 has 40 free KV tokens of 100, the rows need 41", e.getMessage());
    }

    @Test
    void cachedBlocksMakeWayForRowsAndAreCounted() {
        List<Long> asked = new ArrayList<>();
        kv.reserve(shard("a"), 30);
        kv.evictFor(50, maxBytes -> {
            asked.add(maxBytes);
            return 3;
        });
        assertEquals(List.of(200L), asked, "the cache keeps what neither the rows nor the new reservation take");
        kv.evictFor(10, maxBytes -> -1); // pinned blocks: nothing evicted, nothing counted
        assertEquals(3, kv.blocksEvictedForRows());
    }
}
