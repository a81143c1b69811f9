package dev.nbce.worker.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import dev.nbce.common.prefix.BlockHashes;
import dev.nbce.worker.model.ModelConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The keys and values of rows' prefixes, kept for later rows (automatic prefix caching, per row).
 *
 * <p>A row's tokens are cut into blocks of {@link PrefixCacheOptions#blockTokens()}; a cached block
 * holds one block's K/V for every layer, {@code [layers, 2, kvHeads, block, headDim]}, and is keyed
 * by its parent block and its own tokens, so two rows share a block only when every earlier token is
 * equal too. A row's trailing tokens that do not fill a block are kept as a partial leaf (fewer
 * tokens, no children). Matching is token by token below the last whole block: a new row also takes
 * the longest run of leading tokens it shares with any child there, full block or partial leaf, so
 * a follow-up turn reuses its earlier row to the last token and a new question reuses its template's
 * tokens up to where the questions differ. Keys are stored after RoPE at absolute positions and a
 * row's positions start at 0, so a prefix's K/V is exactly what a fresh prefill of it computes; a row
 * that restores it continues as if it had. Sliding-window attention masks by position at every step, so cached K/V of positions a
 * window no longer sees is restored too and stays hidden the same way.
 *
 * <p>Blocks are copied into and out of rows (rows keep one contiguous cache each), so no row ever
 * references a cached block and any block may be evicted at any time; eviction takes the least
 * recently used block with no cached child, so every cached block stays reachable from the first.
 * Bytes are counted from shapes and dtype. The cache lives inside the worker's KV budget: it holds
 * what the rows' reservations leave ({@code room}), at most {@link PrefixCacheOptions#budgetBytes()},
 * and gives blocks back when a new row needs them ({@link #shrinkTo}). The arrays belong to this
 * cache's own manager and are freed on eviction or close.
 *
 * <p>Not thread-safe: the engine thread uses it; the counters may be read from any thread.
 */
public final class PrefixCache implements AutoCloseable {
    private final PrefixCacheOptions options;
    private final NDManager manager;
    private final ModelConfig config;
    private final long blockBytes;
    /** Bytes of one token's K/V over all layers. */
    private final long tokenBytes;
    /** Bytes of the KV budget the rows have not reserved: the most this cache may hold now. */
    private final LongSupplier room;
    /** Every cached block, least recently used first (access order). */
    private final LinkedHashMap<Key, Block> blocks = new LinkedHashMap<>(64, 0.75f, true);
    private final Block root = new Block(null, new int[0], BlockHashes.root(), null, 0);
    private final AtomicLong hitTokens = new AtomicLong();
    private final AtomicLong queryTokens = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();
    private long version;

    PrefixCache(LlamaWeights weights, PrefixCacheOptions options, LongSupplier room) {
        this.options = options;
        this.room = room;
        this.config = weights.config();
        this.manager = weights.manager().newSubManager();
        this.tokenBytes = (long) config.layers() * 2 * config.kvHeads() * config.headDim()
                * weights.device().dtype().getNumOfBytes();
        this.blockBytes = bytesOf(options.blockTokens());
    }

    /**
     * A block: its parent (the root for a first block), its tokens (fewer than a block for a partial
     * leaf), the chained hash of its prefix, its K/V, its bytes and its cached children.
     */
    private static final class Block {
        final Block parent;
        final int[] tokens;
        final long hash;
        final NDArray kv;
        final long bytes;
        final List<Block> children = new ArrayList<>();
        boolean pinned;

        Block(Block parent, int[] tokens, long hash, NDArray kv, long bytes) {
            this.parent = parent;
            this.tokens = tokens;
            this.hash = hash;
            this.kv = kv;
            this.bytes = bytes;
        }

        boolean partial(int blockTokens) {
            return tokens.length < blockTokens;
        }

        /** How many leading {@code tokens} equal {@code prompt[from, to)}'s. */
        int sharedWith(int[] prompt, int from, int to) {
            int n = Math.min(tokens.length, to - from);
            int i = 0;
            while (i < n && tokens[i] == prompt[from + i]) {
                i++;
            }
            return i;
        }

        Key key() {
            return new Key(parent, tokens);
        }
    }

    /** A block's identity: the very parent block and equal tokens. */
    private record Key(Block parent, int[] tokens) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.parent == parent && Arrays.equals(k.tokens, tokens);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(parent) * 31 + Arrays.hashCode(tokens);
        }
    }

    public PrefixCacheOptions options() {
        return options;
    }

    /**
     * Loads the longest cached prefix of {@code prompt} into the empty {@code row}, leaving at least
     * the last token to prefill (its logits are the row's first report); returns the tokens restored:
     * whole blocks, then the leading tokens of the child below them that shares the most; nothing if
     * that is less than a block.
     */
    public int restore(RowCache row, int[] prompt) {
        if (!options.enabled()) {
            return 0;
        }
        if (row.length() != 0) {
            throw new IllegalArgumentException("a prefix is restored into an empty row, this one has " + row.length());
        }
        queryTokens.addAndGet(prompt.length);
        int block = options.blockTokens();
        int limit = prompt.length - 1;
        List<Block> path = new ArrayList<>();
        Block parent = root;
        for (int b = 0; (b + 1) * block <= limit; b++) {
            Block found = blocks.get(new Key(parent, Arrays.copyOfRange(prompt, b * block, (b + 1) * block)));
            if (found == null) {
                break;
            }
            path.add(found);
            parent = found;
        }
        int whole = path.size() * block;
        // Below the whole blocks: the child sharing the most leading tokens (never past the last prompt token).
        Block partial = null;
        int shared = 0;
        for (Block child : parent.children) {
            int n = child.sharedWith(prompt, whole, Math.min(whole + block, limit));
            if (n > shared) {
                partial = child;
                shared = n;
            }
        }
        int tokens = whole + shared;
        if (tokens < block) {
            // Too short to pay: a prefill after a past takes the slower attention path (scores against the
            // past as well), which costs a long prompt more than these few tokens save.
            return 0;
        }
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDList parts = new NDList(path.size() + 1);
            path.forEach(p -> parts.add(p.kv));
            if (partial != null) {
                // [layers, 2, kvHeads, block, headDim] -> its first `shared` positions
                parts.add(partial.kv.get(new NDIndex().addAllDim(3).addSliceDim(0, shared)));
                path.add(partial);
            }
            // n x [layers, 2, kvHeads, b_i, headDim] -> [layers, 2, kvHeads, sum b_i, headDim]
            NDArray kv = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 3);
            row.restore(kv, Arrays.copyOf(prompt, tokens));
        }
        touch(path);
        hitTokens.addAndGet(tokens);
        return tokens;
    }

    /**
     * Keeps the K/V of every block of {@code row} not cached yet, its trailing partial block as a
     * partial leaf (as far as the budget allows); a partial leaf that a longer sibling now covers is
     * dropped.
     */
    public void store(RowCache row) {
        if (!options.enabled() || row.isClosed()) {
            return;
        }
        int[] ids = row.tokens();
        int block = options.blockTokens();
        List<Block> path = new ArrayList<>();
        Block parent = root;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            for (int from = 0; from < ids.length; from += block) {
                int to = Math.min(from + block, ids.length);
                int[] tokens = Arrays.copyOfRange(ids, from, to);
                Block found = blocks.get(new Key(parent, tokens));
                if (found == null && to - from < block && covered(parent, tokens)) {
                    break; // a cached sibling starts with these tokens: restore takes them from it
                }
                if (found == null) {
                    long size = bytesOf(tokens.length);
                    if (!makeRoom(size)) {
                        break;
                    }
                    // [layers, 2, kvHeads, to - from, headDim], copied out of the row into this cache's memory
                    NDArray kv = row.slice(from, to).duplicate();
                    NDScope.unregister(kv);
                    kv.attach(manager);
                    found = new Block(parent, tokens, BlockHashes.next(parent.hash, tokens, 0, tokens.length), kv, size);
                    dropCoveredPartials(parent, tokens);
                    blocks.put(found.key(), found);
                    parent.children.add(found);
                    bytes.addAndGet(size);
                    version++;
                }
                found.pinned = true; // the path being stored is not evicted to make room for its own next block
                path.add(found);
                parent = found;
            }
        } finally {
            path.forEach(p -> p.pinned = false);
        }
        touch(path);
    }

    /** Bytes of the K/V of {@code tokens} cached tokens: the one place a block's size is counted. */
    private long bytesOf(int tokens) {
        return tokenBytes * tokens;
    }

    /** Whether a child of {@code parent} starts with all of {@code tokens}. */
    private static boolean covered(Block parent, int[] tokens) {
        for (Block child : parent.children) {
            if (child.sharedWith(tokens, 0, tokens.length) == tokens.length) {
                return true;
            }
        }
        return false;
    }

    /** Removes the partial leaves of {@code parent} that {@code tokens}, a new sibling, starts with. */
    private void dropCoveredPartials(Block parent, int[] tokens) {
        for (Block child : List.copyOf(parent.children)) {
            if (child.partial(options.blockTokens()) && child.tokens.length < tokens.length
                    && child.sharedWith(tokens, 0, tokens.length) == child.tokens.length) {
                remove(child);
            }
        }
    }

    /** The most bytes this cache may hold now: its own cap, and what the rows' reservations leave. */
    private long limit() {
        return Math.min(options.budgetBytes(), room.getAsLong());
    }

    /** Evicts least recently used leaves until {@code needed} more bytes fit; false if they cannot (then it stores no more). */
    private boolean makeRoom(long needed) {
        return shrinkTo(limit() - needed) >= 0;
    }

    /**
     * Evicts least recently used blocks without cached children until the cache holds at most
     * {@code maxBytes} (rows come first: a new row's reservation takes blocks back); returns the blocks
     * evicted, or -1 if blocks still pinned by a store in progress keep it above.
     */
    public int shrinkTo(long maxBytes) {
        int evicted = 0;
        while (bytes.get() > maxBytes) {
            Block victim = null;
            for (Block candidate : blocks.values()) {
                if (candidate.children.isEmpty() && !candidate.pinned) {
                    victim = candidate;
                    break;
                }
            }
            if (victim == null) {
                return -1;
            }
            remove(victim);
            evictions.incrementAndGet();
            evicted++;
        }
        return evicted;
    }

    private void remove(Block victim) {
        blocks.remove(victim.key());
        victim.parent.children.remove(victim);
        victim.kv.close();
        bytes.addAndGet(-victim.bytes);
        version++;
    }

    /** Marks a path used, deepest first, so a parent is always more recent than its children. */
    private void touch(List<Block> path) {
        for (int i = path.size() - 1; i >= 0; i--) {
            blocks.get(path.get(i).key());
        }
    }

    /** Prompt tokens restored from the cache, since start. */
    public long hitTokens() {
        return hitTokens.get();
    }

    /** Prompt tokens of the rows that looked for a cached prefix, since start. */
    public long queryTokens() {
        return queryTokens.get();
    }

    /** Bytes of cached keys and values now. */
    public long bytes() {
        return bytes.get();
    }

    /** Blocks evicted to make room, since start. */
    public long evictions() {
        return evictions.get();
    }

    /** Bytes of one cached block. */
    public long blockBytes() {
        return blockBytes;
    }

    /** Blocks cached now (engine thread). */
    public int blockCount() {
        return blocks.size();
    }

    /** Changes whenever a block is added or evicted (engine thread). */
    public long version() {
        return version;
    }

    /**
     * The chained hash of every cached whole block's prefix ({@link BlockHashes}), most recently used
     * first (engine thread); partial leaves are left out, as the gateway hashes whole blocks only.
     */
    public long[] blockHashes() {
        long[] out = new long[blocks.size()];
        int i = out.length;
        for (Block b : blocks.values()) {
            if (!b.partial(options.blockTokens())) {
                out[--i] = b.hash;
            }
        }
        return Arrays.copyOfRange(out, i, out.length);
    }

    @Override
    public void close() {
        blocks.clear();
        bytes.set(0);
        manager.close();
    }
}
