package dev.nbce.worker.engine;

import dev.nbce.common.step.StepParams;
import dev.nbce.worker.decoder.RowCache;
import java.util.ArrayList;
import java.util.List;

/**
 * The rows of one request that live on this worker, with their KV caches. Touched only by the
 * engine thread. Closing it frees every row's cache.
 */
final class RequestShard implements AutoCloseable {
    final String requestId;
    private final StepParams params;
    private final ShardRules rules;
    private final List<Integer> rowIndices = new ArrayList<>();
    private final List<RowCache> caches = new ArrayList<>();
    /** The KV tokens each row reserved (prompt + answer budget), in the order of {@link #caches}. */
    private final List<Integer> rowTokens = new ArrayList<>();
    /**
     * The draft tokens each row holds past the answer, in the order of {@link #caches}: those of the last advance,
     * or none for a row opened since (rows re-placed in the middle of a step join without them).
     */
    private final List<Integer> rowDrafts = new ArrayList<>();
    private int previousChosenRow;
    private int step;
    /** The draft tokens the last advance fed after its token (docs/speculative-decoding.md). */
    private int[] drafts = new int[0];
    private int reservedTokens;

    RequestShard(String requestId, StepParams params, int previousChosenRow, int step) {
        this(requestId, params, previousChosenRow, step, ShardRules.NONE);
    }

    /** @param rules the request's logit bias and constraint, as they stand at {@code step} */
    RequestShard(String requestId, StepParams params, int previousChosenRow, int step, ShardRules rules) {
        this.requestId = requestId;
        this.params = params;
        this.rules = rules;
        this.previousChosenRow = previousChosenRow;
        this.step = step;
    }

    /** @param reservedTokens the KV tokens the row reserves; {@link KvManager#reserve} counts them for the shard */
    void addRow(int rowIndex, RowCache cache, int reservedTokens) {
        rowIndices.add(rowIndex);
        caches.add(cache);
        rowTokens.add(reservedTokens);
        rowDrafts.add(0);
    }

    /** Whether the global row is held here. */
    boolean holds(int rowIndex) {
        return rowIndices.contains(rowIndex);
    }

    /**
     * Takes the rows out (a window selection pruned them) and gives back their caches, still open, and the KV
     * tokens they reserved, which the shard no longer counts.
     */
    Removed remove(int[] rows) {
        List<RowCache> removed = new ArrayList<>();
        int tokens = 0;
        for (int row : rows) {
            int at = rowIndices.indexOf(row);
            rowIndices.remove(at);
            removed.add(caches.remove(at));
            tokens += rowTokens.remove(at);
            rowDrafts.remove(at);
        }
        reservedTokens -= tokens;
        return new Removed(removed, tokens);
    }

    /** Rows taken out of a shard: their caches and the KV tokens they had reserved. */
    record Removed(List<RowCache> caches, int tokens) {}

    /** Adds KV tokens reserved for rows opened here; the engine releases them all when the shard closes. */
    void reserve(int tokens) {
        reservedTokens += tokens;
    }

    int reservedTokens() {
        return reservedTokens;
    }

    int rowCount() {
        return caches.size();
    }

    List<RowCache> caches() {
        return caches;
    }

    int step() {
        return step;
    }

    /** Records the token the gateway chose; the next report is for {@code newStep}. */
    void advanceTo(int newStep, int chosenRow) {
        this.step = newStep;
        this.previousChosenRow = chosenRow;
    }

    /** The draft tokens fed at the last step, after its token; the next advance says how many were kept. */
    int[] drafts() {
        return drafts;
    }

    /** The fewest draft tokens any row holds: no advance may keep more. */
    int fewestRowDrafts() {
        return rowDrafts.stream().mapToInt(Integer::intValue).min().orElse(0);
    }

    /** The longest row once drafts past the first {@code kept} are forgotten. */
    int longestAfterRollBack(int kept) {
        int longest = 0;
        for (int i = 0; i < caches.size(); i++) {
            longest = Math.max(longest, caches.get(i).length() - Math.max(0, rowDrafts.get(i) - kept));
        }
        return longest;
    }

    /** Forgets each row's drafts past the first {@code kept} (rows hold different numbers: see {@link #rowDrafts}). */
    void rollBackDrafts(int kept) {
        for (int i = 0; i < caches.size(); i++) {
            int extra = rowDrafts.get(i) - kept;
            if (extra > 0) {
                caches.get(i).truncate(caches.get(i).length() - extra);
            }
        }
    }

    /** Records the draft tokens this step feeds after its token, to every row. */
    void drafted(int[] fed) {
        this.drafts = fed;
        rowDrafts.replaceAll(x -> fed.length);
    }

    StepParams params() {
        return params;
    }

    /** The logit bias and constraint every row's logits go through; advanced with each token. */
    ShardRules rules() {
        return rules;
    }

    /** The row chosen at the step before this one (it gets the stickiness bonus); -1 at step 0. */
    int previousChosenRow() {
        return previousChosenRow;
    }

    int[] rowIndices(List<Integer> positions) {
        int[] rows = new int[positions.size()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = rowIndices.get(positions.get(i));
        }
        return rows;
    }

    @Override
    public void close() {
        caches.forEach(RowCache::close);
        caches.clear();
        rowIndices.clear();
        rowTokens.clear();
        rowDrafts.clear();
    }
}
