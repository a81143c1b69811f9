package dev.nbce.worker.engine;

import dev.nbce.common.prefix.PrefixDigest;
import dev.nbce.worker.decoder.PrefixCache;
import dev.nbce.worker.decoder.RowCache;
import java.util.List;

/**
 * When the engine uses its {@link PrefixCache}: a new row first restores the longest cached prefix of
 * its prompt and prefills only the rest; a row's blocks are stored when its prompt is in and again
 * when its request is closed normally (then with the answer, for a follow-up turn). Rows that may be
 * corrupt (a failed forward or reduce, a prompt half in) are never stored. Keeps the digest of what
 * is cached, announced for placement.
 *
 * <p>Engine thread only; the digest may be read from any thread.
 */
final class PrefixPolicy {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PrefixPolicy.class);

    /** The cache operations the policy decides on ({@link PrefixCache}'s; tests fake them). */
    interface Blocks extends KvManager.Evictor {
        int restore(RowCache row, int[] prompt);

        void store(RowCache row);

        /** Changes whenever a block is stored or evicted. */
        long version();

        PrefixDigest digest();

        void close();
    }

    private final Blocks cache;
    private final String name;
    private volatile PrefixDigest digest = PrefixDigest.EMPTY;
    private long digestVersion;

    /** @param name names the engine in log lines */
    PrefixPolicy(Blocks cache, String name) {
        this.cache = cache;
        this.name = name;
    }

    PrefixPolicy(PrefixCache cache, String name) {
        this(new Blocks() {
            @Override
            public int restore(RowCache row, int[] prompt) {
                return cache.restore(row, prompt);
            }

            @Override
            public void store(RowCache row) {
                cache.store(row);
            }

            @Override
            public long version() {
                return cache.version();
            }

            @Override
            public PrefixDigest digest() {
                return PrefixDigest.of(cache.options().blockTokens(), cache.blockHashes());
            }

            @Override
            public int shrinkTo(long maxBytes) {
                return cache.shrinkTo(maxBytes);
            }

            @Override
            public void close() {
                cache.close();
            }
        }, name);
    }

    /** Gives cached blocks back to the rows (see {@link KvManager#evictFor}). */
    KvManager.Evictor evictor() {
        return cache;
    }

    /** The tokens of {@code prompt} restored into the empty {@code row}; a failed restore leaves it empty: prefill all. */
    int restore(RowCache row, int[] prompt) {
        try {
            return cache.restore(row, prompt);
        } catch (RuntimeException e) {
            LOG.warn("{}: prefix cache restore failed, prefilling the whole row: {}", name, e.toString());
            if (row.length() > 0) {
                throw e; // cannot happen (a failed append changes nothing), but never continue from a partial row
            }
            return 0;
        }
    }

    /**
     * An open's prompts are in and reported: stores its rows, unless the report found them corrupt and
     * closed the shard ({@code open} false).
     */
    void prefilled(RequestShard shard, List<Integer> positions, boolean open) {
        if (open) {
            positions.forEach(p -> cache.store(shard.caches().get(p)));
        }
    }

    /** Rows a window selection pruned from a running request: stored with what they hold, as a retired request's. */
    void pruned(List<RowCache> rows) {
        rows.forEach(cache::store);
    }

    /**
     * A request ended normally (finished or cancelled): stores its rows with their answers, unless it
     * is unknown here or some of its rows are still being prefilled.
     */
    void retired(RequestShard shard, boolean prefilling) {
        if (shard != null && !prefilling) {
            shard.caches().forEach(cache::store);
        }
    }

    /** Rebuilds the digest if the cache changed since; engine thread, once per loop. */
    void refreshDigest() {
        if (cache.version() != digestVersion) {
            digestVersion = cache.version();
            digest = cache.digest();
        }
    }

    /** A summary of the prefixes cached here (any thread). */
    PrefixDigest digest() {
        return digest;
    }

    void close() {
        cache.close();
    }
}
