package dev.nbce.worker.decoder;

/**
 * Whether and how a worker keeps the KV of rows' prefixes for later rows.
 *
 * @param enabled     off: every row prefills its whole prompt
 * @param blockTokens tokens per cached block (a row's trailing tokens are kept as a shorter partial leaf; a
 *                    restore takes whole blocks and then matches token by token, at least one block in all)
 * @param budgetBytes a cap on the bytes of cached keys and values (counted from tensor shapes and dtype)
 *                    within the worker's KV budget, which the cache shares with the rows' reservations
 *                    and gives back to new rows; {@link Long#MAX_VALUE}: no cap, the whole KV budget
 */
public record PrefixCacheOptions(boolean enabled, int blockTokens, long budgetBytes) {
    /** No cap of its own: the cache holds what the rows leave of the KV budget. */
    public static final long DEFAULT_BUDGET_BYTES = Long.MAX_VALUE;
    public static final int DEFAULT_BLOCK_TOKENS = 16;
    public static final PrefixCacheOptions DEFAULT = new PrefixCacheOptions(true, DEFAULT_BLOCK_TOKENS, DEFAULT_BUDGET_BYTES);
    public static final PrefixCacheOptions OFF = new PrefixCacheOptions(false, DEFAULT_BLOCK_TOKENS, 0);

    public PrefixCacheOptions {
        if (blockTokens < 1) {
            throw new IllegalArgumentException("prefix cache block must be at least 1 token, got " + blockTokens);
        }
        if (budgetBytes < 0) {
            throw new IllegalArgumentException("prefix cache budget must be >= 0 bytes, got " + budgetBytes);
        }
    }

    public PrefixCacheOptions withBudgetBytes(long bytes) {
        return new PrefixCacheOptions(enabled, blockTokens, bytes);
    }

    public PrefixCacheOptions withBlockTokens(int tokens) {
        return new PrefixCacheOptions(enabled, tokens, budgetBytes);
    }
}
