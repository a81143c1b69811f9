package dev.nbce.worker.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.nbce.worker.model.ModelConfig;

/**
 * One row's KV cache: the keys and values of every token the row has seen, for every layer, in
 * native memory owned by the row's own NDManager and freed on {@link #close()}.
 *
 * <p>Storage is one zero-initialised array {@code [layers, 2 (k|v), kvHeads, capacity, headDim]}
 * with spare capacity at the end. Appending writes the new tokens in place, so a decode step costs
 * O(new tokens), not O(length); when capacity runs out it doubles (capped near
 * max_position_embeddings, rounded to {@value #QUANTUM} positions), so regrowth copies are amortised
 * O(1) per token. The price is up to 2x unused memory per row, small for the row lengths NBCE uses
 * (one window plus the answer). Slots past {@link #length()} stay zero, so a step can read a
 * fixed-size {@link #window} of every row and stack them without padding them one by one. One array
 * for all layers keeps the per-row native calls in a step at two (one read, one write) whatever the
 * depth.
 *
 * <p>Keys are stored after RoPE. Not thread-safe: use and close a row from the thread that runs the
 * decoder's forward passes.
 */
public final class RowCache implements AutoCloseable {
    /** Capacity granularity in positions. */
    static final int QUANTUM = 64;

    private final LlamaWeights owner;
    private final NDManager manager;
    private final ModelConfig config;
    private NDArray buffer;
    private int capacity;
    private int length;
    /** The token ids of the cached positions, {@code [length]} used (the prefix cache keys on them). */
    private int[] ids = new int[0];
    private boolean closed;

    RowCache(LlamaWeights owner) {
        this.owner = owner;
        this.config = owner.config();
        this.manager = owner.manager().newSubManager();
    }

    /** Tokens cached so far (the position the next token will take). */
    public int length() {
        return length;
    }

    /** Positions reserved in native memory, at least {@link #length()}. */
    public int capacity() {
        return capacity;
    }

    /** The ids of the tokens cached so far, in position order. */
    public int[] tokens() {
        return java.util.Arrays.copyOf(ids, length);
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            buffer = null;
            manager.close();
        }
    }

    LlamaWeights owner() {
        return owner;
    }

    /** A view of the cached tokens: {@code [layers, 2, kvHeads, length, headDim]}; only while length > 0. */
    private NDArray cached() {
        return buffer.get(new NDIndex().addAllDim(3).addSliceDim(0, length));
    }

    /**
     * A view of the first {@code positions} slots, {@code [layers, 2, kvHeads, positions, headDim]}:
     * the cached tokens, then zeros. Reserves capacity if needed (length is unchanged).
     */
    NDArray window(int positions) {
        requireOpen();
        reserve(Math.max(positions, 1));
        return buffer.get(new NDIndex().addAllDim(3).addSliceDim(0, positions));
    }

    /**
     * Appends the first {@code ids.length} positions of {@code kv} ({@code [layers, 2, kvHeads,
     * >=count, headDim]}), the keys and values of tokens {@code ids}. Called at the end of a step, so
     * a step that fails leaves the row unchanged.
     */
    void append(NDArray kv, int[] newIds) {
        requireOpen();
        int count = newIds.length;
        reserve(length + count);
        // [layers, 2, kvHeads, count, headDim] -> buffer[:, :, :, length:length+count, :]
        buffer.set(new NDIndex().addAllDim(3).addSliceDim(length, length + count),
                kv.get(new NDIndex().addAllDim(3).addSliceDim(0, count)));
        recordIds(newIds);
    }

    /**
     * A view of positions {@code [from, to)}: {@code [layers, 2, kvHeads, to - from, headDim]}, valid
     * until the row grows or closes; the caller copies what it keeps.
     */
    NDArray slice(int from, int to) {
        requireOpen();
        if (from < 0 || to > length || from >= to) {
            throw new IllegalArgumentException("positions " + from + ".." + to + " of a row of " + length);
        }
        return buffer.get(new NDIndex().addAllDim(3).addSliceDim(from, to));
    }

    /**
     * Appends cached keys and values computed elsewhere for the same tokens at the same positions
     * ({@code kv}: {@code [layers, 2, kvHeads, ids.length, headDim]}); what a prefill of {@code ids}
     * would have written, so the row continues exactly as if it had computed them.
     */
    void restore(NDArray kv, int[] newIds) {
        append(kv, newIds);
    }

    private void recordIds(int[] newIds) {
        if (ids.length < length + newIds.length) {
            ids = java.util.Arrays.copyOf(ids, Math.max(capacity, length + newIds.length));
        }
        System.arraycopy(newIds, 0, ids, length, newIds.length);
        length += newIds.length;
    }

    /**
     * Forgets every token after the first {@code newLength} (a multi-chunk step that failed undoes
     * its earlier chunks; drafted tokens the gateway rejected are rolled back); the forgotten slots are zeroed
     * again.
     */
    public void truncate(int newLength) {
        requireOpen();
        if (newLength < 0 || newLength > length) {
            throw new IllegalArgumentException("cannot truncate " + length + " tokens to " + newLength);
        }
        if (newLength < length) {
            buffer.set(new NDIndex().addAllDim(3).addSliceDim(newLength, length), 0f);
            length = newLength;
        }
    }

    private void reserve(int needed) {
        if (needed <= capacity) {
            return;
        }
        long doubled = Math.min(2L * capacity, config.maxPositions());
        int grown = (int) roundUp(Math.max(needed, doubled));
        // Zeros, not uninitialised memory: padded reads must stay finite (0 * NaN is NaN).
        NDArray bigger = manager.zeros(
                new Shape(config.layers(), 2, config.kvHeads(), grown, config.headDim()),
                owner.device().dtype());
        // The buffer outlives the step that happened to grow it.
        NDScope.unregister(bigger);
        if (length > 0) {
            bigger.set(new NDIndex().addAllDim(3).addSliceDim(0, length), cached());
        }
        if (buffer != null) {
            buffer.close();
        }
        buffer = bigger;
        capacity = grown;
    }

    private static long roundUp(long positions) {
        return (positions + QUANTUM - 1) / QUANTUM * QUANTUM;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("row cache is closed");
        }
    }
}
