package dev.nbce.worker.engine;

import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The worker's KV budget ({@link KvBudget}) shared by the rows' reservations (prompt + answer budget
 * each) and the prefix cache's blocks. Rows come first: an open that fits beside the other rows evicts
 * cached blocks until it fits beside the cache too, and the cache stores a block only in what the rows
 * leave; the free tokens announced for placement ignore the cache, since it gives its memory back on
 * demand.
 *
 * <p>Written by the engine thread only; the figures may be read from any thread.
 */
final class KvManager {
    /** What gives cached blocks back: evicts down to {@code maxBytes}, returns the blocks evicted or -1. */
    @FunctionalInterface
    interface Evictor {
        int shrinkTo(long maxBytes);
    }

    private final KvBudget budget;
    /** KV tokens the open rows have reserved; with the prefix cache's bytes, never more than the budget. */
    private final AtomicInteger reservedTokens = new AtomicInteger();
    private final AtomicLong blocksEvictedForRows = new AtomicLong();

    KvManager(KvBudget budget) {
        this.budget = budget;
    }

    KvBudget budget() {
        return budget;
    }

    /** Tokens no open row has reserved; cached prefix blocks are evicted to admit them. */
    int freeKvTokens() {
        return Math.max(0, budget.capacityKvTokens() - reservedTokens.get());
    }

    /** Bytes of the budget the open rows have not reserved: the most the prefix cache may hold now. */
    long unreservedBytes() {
        return budget.budgetBytes() - (long) reservedTokens.get() * budget.bytesPerToken();
    }

    /** Prefix cache blocks evicted to admit new rows, since start. */
    long blocksEvictedForRows() {
        return blocksEvictedForRows.get();
    }

    /** Refuses rows of {@code engine} that need more tokens than are free, with the retryable {@code capacity}. */
    void checkFits(long need, String engine) {
        if (need > freeKvTokens()) {
            throw new NbceException(ErrorCode.CAPACITY, engine + " has " + freeKvTokens() + " free KV tokens of "
                    + budget.capacityKvTokens() + ", the rows need " + need);
        }
    }

    /**
     * Makes room for {@code need} tokens beside the cache: cached blocks make way (the need fits the
     * budget, so the cache emptied at worst). Call before restoring into the rows, so they never hold
     * memory the cache still counts.
     */
    void evictFor(long need, Evictor cache) {
        int evicted = cache.shrinkTo(unreservedBytes() - need * budget.bytesPerToken());
        blocksEvictedForRows.addAndGet(Math.max(0, evicted));
    }

    /** Reserves {@code tokens} for rows opened on {@code shard}; {@link #release} frees them with the shard. */
    void reserve(RequestShard shard, int tokens) {
        shard.reserve(tokens);
        reservedTokens.addAndGet(tokens);
    }

    void release(RequestShard shard) {
        reservedTokens.addAndGet(-shard.reservedTokens());
    }

    /** Frees the tokens of rows taken out of a shard that stays open ({@link RequestShard#remove}). */
    void release(RequestShard.Removed rows) {
        reservedTokens.addAndGet(-rows.tokens());
    }
}
