package dev.nbce.worker.engine;

import dev.nbce.common.constraint.CompilerPool;
import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;
import dev.nbce.common.wire.Advance;
import dev.nbce.common.wire.OpenRows;
import dev.nbce.common.wire.RowPrompt;
import dev.nbce.common.wire.ShardStep;
import dev.nbce.worker.decoder.RowCache;
import dev.nbce.worker.model.ModelConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * The requests with rows on this worker: admits opens (rows within the row capacity and the KV budget,
 * each row restoring what the prefix cache holds) and advances (checked against the request's step),
 * and frees a request's rows and reservation when it closes.
 *
 * <p>Engine thread only; the counts may be read from any thread.
 */
final class Requests {
    private final Map<String, RequestShard> shards = new HashMap<>();
    private final AtomicInteger activeRows = new AtomicInteger();
    private final AtomicInteger activeRequests = new AtomicInteger();
    private final ModelConfig config;
    private final Supplier<RowCache> newRow;
    private final int capacityRows;
    private final String name;
    private final KvManager kv;
    private final PrefixPolicy prefixPolicy;
    private final Scheduler scheduler;

    /** @param newRow an empty KV cache for a new row; @param name names the engine in errors */
    Requests(ModelConfig config, Supplier<RowCache> newRow, int capacityRows, String name, KvManager kv,
             PrefixPolicy prefixPolicy, Scheduler scheduler) {
        this.config = config;
        this.newRow = newRow;
        this.capacityRows = capacityRows;
        this.name = name;
        this.kv = kv;
        this.prefixPolicy = prefixPolicy;
        this.scheduler = scheduler;
    }

    int activeRows() {
        return activeRows.get();
    }

    int activeRequests() {
        return activeRequests.get();
    }

    /** Requests open here (engine thread). */
    int size() {
        return shards.size();
    }

    /** Whether {@code shard} is still open here: not closed by a failure since it was scheduled. */
    boolean isOpen(RequestShard shard) {
        return shards.get(shard.requestId) == shard;
    }

    /** Places rows without a constraint. */
    Pending open(OpenRows open, CompletableFuture<ShardStep> reply) {
        return open(open, null, reply);
    }

    /**
     * Places the rows (a new request, or rows re-placed after a failure); they are to be prefilled.
     *
     * @param constraint the open's constraint compiled here, null when it has none
     */
    Pending open(OpenRows open, CompilerPool.Compiled constraint, CompletableFuture<ShardStep> reply) {
        List<RowPrompt> rows = open.rows();
        if (rows.isEmpty()) {
            throw new NbceException(ErrorCode.BAD_REQUEST, "no rows to open");
        }
        int maxPositions = config.maxPositions();
        for (RowPrompt row : rows) {
            if (row.tokenIds().length == 0 || row.tokenIds().length >= maxPositions) {
                throw new NbceException(ErrorCode.BAD_REQUEST, "row " + row.row() + " has " + row.tokenIds().length
                        + " tokens; the model takes 1.." + (maxPositions - 1));
            }
        }
        if (activeRows.get() + rows.size() > capacityRows) {
            throw new NbceException(ErrorCode.CAPACITY, "worker has " + (capacityRows - activeRows.get())
                    + " free rows, request needs " + rows.size());
        }
        long need = 0;
        for (RowPrompt row : rows) {
            need += OpenRows.reservedTokens(row.tokenIds().length, open.answerTokens(), maxPositions);
        }
        kv.checkFits(need, name);
        RequestShard shard = shards.get(open.requestId());
        if (shard == null) {
            shard = new RequestShard(open.requestId(), open.params(), open.previousChosenRow(), open.step(),
                    rules(open, constraint));
            shards.put(open.requestId(), shard);
            activeRequests.incrementAndGet();
        } else if (shard.step() != open.step()) {
            throw new NbceException(ErrorCode.BAD_REQUEST, "rows for " + open.requestId() + " opened at step "
                    + open.step() + " but the request here is at step " + shard.step());
        }
        kv.evictFor(need, prefixPolicy.evictor());
        List<Integer> positions = new ArrayList<>();
        List<int[]> tokens = new ArrayList<>();
        for (RowPrompt row : rows) {
            RowCache cache = newRow.get();
            positions.add(shard.rowCount());
            shard.addRow(row.row(), cache, OpenRows.reservedTokens(row.tokenIds().length, open.answerTokens(), maxPositions));
            int[] prompt = row.tokenIds();
            tokens.add(Arrays.copyOfRange(prompt, prefixPolicy.restore(cache, prompt), prompt.length));
        }
        activeRows.addAndGet(rows.size());
        kv.reserve(shard, (int) need);
        return new Pending(shard, positions, tokens, reply, true);
    }

    /**
     * The request's logit rules here: its constraint advanced through the answer so far (the last {@code step}
     * tokens of a re-placed row).
     */
    private ShardRules rules(OpenRows open, CompilerPool.Compiled constraint) {
        if (open.rules().isNone()) {
            return ShardRules.NONE;
        }
        if (open.rules().constraint() != null && constraint == null) {
            throw new NbceException(ErrorCode.INTERNAL, "rows of " + open.requestId() + " opened without their constraint compiled");
        }
        ShardRules rules = new ShardRules(open.rules(), constraint, config.vocab());
        int[] row = open.rows().get(0).tokenIds();
        if (open.step() > row.length) {
            throw new NbceException(ErrorCode.BAD_REQUEST, "rows of " + open.requestId() + " at step " + open.step()
                    + " hold fewer tokens than the answer so far");
        }
        rules.advanceAll(Arrays.copyOfRange(row, row.length - open.step(), row.length));
        return rules;
    }

    /**
     * Appends the token the gateway chose to every row of the request: its next decode step. Drafts of the last step
     * that the gateway did not keep are rolled back first; this step's drafts are fed after the token, in the same
     * forward (docs/speculative-decoding.md).
     */
    Pending advance(Advance advance, CompletableFuture<ShardStep> reply) {
        RequestShard shard = shards.get(advance.requestId());
        if (shard == null) {
            throw new NbceException(ErrorCode.UNKNOWN_REQUEST, "no rows of request " + advance.requestId() + " on this worker");
        }
        int[] fedDrafts = shard.drafts();
        int kept = advance.keptDrafts();
        if (kept > shard.fewestRowDrafts()) {
            throw new NbceException(ErrorCode.BAD_REQUEST, "request " + advance.requestId() + " keeps " + kept
                    + " drafts, but its last step fed " + shard.fewestRowDrafts() + (shard.fewestRowDrafts() < fedDrafts.length
                    ? " to rows opened since" : ""));
        }
        if (advance.step() != shard.step() + 1 + kept) {
            throw new NbceException(ErrorCode.BAD_REQUEST, "request " + advance.requestId() + " is at step "
                    + shard.step() + ", cannot advance to step " + advance.step()
                    + (kept > 0 ? " keeping " + kept + " drafts" : ""));
        }
        int[] drafts = advance.drafts();
        checkTokens(advance.token(), drafts);
        if (drafts.length > 0 && shard.rules().constrained()) {
            throw new NbceException(ErrorCode.BAD_REQUEST, "request " + advance.requestId()
                    + " has a constraint: its drafts cannot be verified");
        }
        if (shard.longestAfterRollBack(kept) + 1 + drafts.length >= config.maxPositions()) {
            throw new NbceException(ErrorCode.BAD_REQUEST, "request " + advance.requestId() + " reached the model's maximum length");
        }
        shard.rules().advanceAll(Arrays.copyOf(fedDrafts, kept));
        shard.rules().advance(advance.token());
        int[] drop = advance.dropRows();
        if (drop.length > 0) {
            prune(shard, drop);
        }
        shard.rollBackDrafts(kept);
        shard.advanceTo(advance.step(), advance.chosenRow());
        shard.drafted(drafts);
        int[] fed = new int[1 + drafts.length];
        fed[0] = advance.token();
        System.arraycopy(drafts, 0, fed, 1, drafts.length);
        List<Integer> positions = IntStream.range(0, shard.rowCount()).boxed().toList();
        List<int[]> tokens = positions.stream().map(p -> fed).toList();
        return new Pending(shard, positions, tokens, reply, false, drafts.length);
    }

    private void checkTokens(int token, int[] drafts) {
        if (token < 0 || token >= config.vocab()) {
            throw new NbceException(ErrorCode.BAD_REQUEST, "token id " + token + " outside the vocabulary");
        }
        for (int draft : drafts) {
            if (draft >= config.vocab()) {
                throw new NbceException(ErrorCode.BAD_REQUEST, "draft token id " + draft + " outside the vocabulary");
            }
        }
    }

    /**
     * Closes rows a window selection dropped before the step they would decode: their blocks stay cached for a
     * follow-up, their rows and KV tokens are free at once. The request keeps at least one row here (a worker left
     * with none is sent a close instead).
     */
    private void prune(RequestShard shard, int[] drop) {
        for (int row : drop) {
            if (!shard.holds(row)) {
                throw new NbceException(ErrorCode.BAD_REQUEST, "request " + shard.requestId + " has no row " + row
                        + " on this worker to drop");
            }
        }
        if (java.util.Arrays.stream(drop).distinct().count() >= shard.rowCount()) {
            throw new NbceException(ErrorCode.BAD_REQUEST, "an advance may not drop every row of request "
                    + shard.requestId + " here; close it instead");
        }
        RequestShard.Removed removed = shard.remove(java.util.Arrays.stream(drop).distinct().toArray());
        prefixPolicy.pruned(removed.caches());
        removed.caches().forEach(RowCache::close);
        activeRows.addAndGet(-removed.caches().size());
        kv.release(removed);
    }

    /** Closes a request that ended normally (finished or cancelled), keeping its rows' blocks first. */
    void retire(String requestId) {
        prefixPolicy.retired(shards.get(requestId), scheduler.prefilling(requestId));
        close(requestId);
    }

    /** Frees the request's rows and reservation; an open of it still prefilling fails. */
    void close(String requestId) {
        RequestShard shard = shards.remove(requestId);
        for (Prefill job : scheduler.remove(requestId)) {
            job.pending.reply().completeExceptionally(
                    new NbceException(ErrorCode.UNKNOWN_REQUEST, "request " + requestId + " was closed while prefilling"));
        }
        if (shard != null) {
            activeRows.addAndGet(-shard.rowCount());
            kv.release(shard);
            activeRequests.decrementAndGet();
            shard.close();
        }
    }

    /** Frees every row (the engine stops); no counts change any more. */
    void closeAll() {
        shards.values().forEach(RequestShard::close);
        shards.clear();
    }
}
