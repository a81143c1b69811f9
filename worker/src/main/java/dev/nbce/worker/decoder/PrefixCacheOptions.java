package dev.nbce.worker.decoder;

import java.util.Locale;

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
    public static final String ENABLED_ENV = "NBCE_PREFIX_CACHE";
    public static final String BYTES_ENV = "NBCE_PREFIX_CACHE_BYTES";
    public static final String BLOCK_ENV = "NBCE_PREFIX_CACHE_BLOCK_TOKENS";
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

    /** From {@value #ENABLED_ENV} (default true), {@value #BYTES_ENV} (default no cap) and {@value #BLOCK_ENV} (16). */
    public static PrefixCacheOptions fromEnvironment() {
        return parse(System.getenv(ENABLED_ENV), System.getenv(BYTES_ENV), System.getenv(BLOCK_ENV));
    }

    static PrefixCacheOptions parse(String enabled, String bytes, String block) {
        boolean on = true;
        if (enabled != null && !enabled.isBlank()) {
            String e = enabled.trim().toLowerCase(Locale.ROOT);
            if (!e.equals("true") && !e.equals("false")) {
                throw new IllegalArgumentException(ENABLED_ENV + "=" + enabled + ": must be true or false");
            }
            on = e.equals("true");
        }
        try {
            long budget = bytes == null || bytes.isBlank() ? DEFAULT_BUDGET_BYTES : Long.parseLong(bytes.trim());
            int tokens = block == null || block.isBlank() ? DEFAULT_BLOCK_TOKENS : Integer.parseInt(block.trim());
            return new PrefixCacheOptions(on, tokens, budget);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(BYTES_ENV + "=" + bytes + ", " + BLOCK_ENV + "=" + block + ": "
                    + e.getMessage(), e);
        }
    }

    public PrefixCacheOptions withBudgetBytes(long bytes) {
        return new PrefixCacheOptions(enabled, blockTokens, bytes);
    }

    public PrefixCacheOptions withBlockTokens(int tokens) {
        return new PrefixCacheOptions(enabled, tokens, budgetBytes);
    }
}
