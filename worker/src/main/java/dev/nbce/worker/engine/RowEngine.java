package dev.nbce.worker.engine;

import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;
import dev.nbce.common.nbce.ShardReducer;
import dev.nbce.common.prefix.PrefixDigest;
import dev.nbce.common.wire.Advance;
import dev.nbce.common.wire.OpenRows;
import dev.nbce.common.wire.RowPrompt;
import dev.nbce.common.wire.ShardStep;
import dev.nbce.worker.decoder.LlamaDecoder;
import dev.nbce.worker.decoder.PrefixCache;
import dev.nbce.worker.decoder.PrefixCacheOptions;
import dev.nbce.worker.decoder.RowCache;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * Runs the model for every request placed on this worker, on one thread of its own: each loop
 * drains the commands that arrived and runs ONE batched forward over the decoding rows of every
 * request (continuous batching: requests join and leave between steps), answers them, then
 * prefills. While any request is decoding, prefill advances by at most one chunk
 * ({@link dev.nbce.worker.decoder.DecoderOptions#prefillChunkTokens()} tokens over all new rows) per
 * loop, so a stream's next token waits for one chunk, never for a whole long prompt (chunked
 * prefill interleaved with decode, as vLLM and TGI schedule it); with no stream waiting, prompts
 * are prefilled at full speed. Callers on event loops only enqueue. A forward that runs out of
 * memory is tried again smaller ({@link BatchRetry}), so only a request that does not fit even
 * alone fails, and the others go on in the same loop.
 *
 * <p>A new row first restores the longest prefix of its prompt that this worker's {@link PrefixCache}
 * holds and prefills only the rest; a row's blocks are stored when its prompt is in and again when its
 * request is closed normally (then with the answer, for a follow-up turn).
 *
 * <p>One KV budget ({@link KvBudget}) holds the rows' reservations (prompt + answer budget each) and
 * the prefix cache's blocks. Rows come first: an open that fits beside the other rows evicts cached
 * blocks until it fits beside the cache too, and the cache stores a block only in what the rows leave;
 * the free tokens announced for placement ignore the cache, since it gives its memory back on demand.
 */
public final class RowEngine implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RowEngine.class);
    /** Observes each forward pass, for metrics. */
    public interface ForwardObserver {
        void onForward(int rows, int tokens, long nanos);
    }

    private sealed interface Command permits OpenCommand, AdvanceCommand, CloseCommand, StopCommand {}

    private record OpenCommand(OpenRows open, CompletableFuture<ShardStep> reply) implements Command {}

    private record AdvanceCommand(Advance advance, CompletableFuture<ShardStep> reply) implements Command {}

    private record CloseCommand(String requestId) implements Command {}

    private record StopCommand() implements Command {}

    /** Rows of one shard that need a forward this loop, and who waits for their report. */
    private record Pending(RequestShard shard, List<Integer> positions, List<int[]> tokens,
                           CompletableFuture<ShardStep> reply, boolean open) {}

    private static List<Pending> decodes(List<Pending> pending) {
        return pending.stream().filter(p -> !p.open()).toList();
    }

    /** Rows of an open being prefilled across loops: how much of each row's prompt is in its cache. */
    private static final class Prefill {
        final Pending pending;
        final int[] fed;
        final float[][] lastLogits;

        Prefill(Pending pending) {
            this.pending = pending;
            this.fed = new int[pending.positions().size()];
            this.lastLogits = new float[fed.length][];
        }

        boolean done() {
            for (int i = 0; i < fed.length; i++) {
                if (fed[i] < pending.tokens().get(i).length) {
                    return false;
                }
            }
            return true;
        }
    }

    private final LlamaDecoder decoder;
    private final String name;
    private final EngineLimits limits;
    private final ForwardObserver observer;
    private final BatchRetry batches;
    private final PrefixCache prefixCache; // engine thread only, counters excepted
    /** What the prefix cache holds, for announcements; rebuilt by the engine thread when the cache changed. */
    private volatile PrefixDigest prefixDigest = PrefixDigest.EMPTY;
    private long digestVersion;
    private final LinkedBlockingQueue<Command> inbox = new LinkedBlockingQueue<>();
    private final Map<String, RequestShard> shards = new HashMap<>(); // engine thread only
    private final java.util.ArrayDeque<Prefill> prefilling = new java.util.ArrayDeque<>(); // engine thread only
    private final AtomicInteger activeRows = new AtomicInteger();
    private final AtomicInteger activeRequests = new AtomicInteger();
    private final KvBudget kvBudget;
    /**
     * KV tokens the open rows have reserved (prompt + answer budget each); written by the engine thread.
     * With the prefix cache's bytes, never more than the budget.
     */
    private final AtomicInteger reservedTokens = new AtomicInteger();
    private final AtomicLong blocksEvictedForRows = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;
    /** Start of the loop iteration in progress, for the watchdog; valid while {@link #inIteration}. */
    private volatile long iterationStartNanos;
    private volatile boolean inIteration;

    public RowEngine(LlamaDecoder decoder, EngineLimits limits, ForwardObserver observer) {
        this(decoder, limits, observer, "worker");
    }

    /** @param name names this engine in errors, e.g. {@code worker w1 (model qwen3-0.6b)} */
    public RowEngine(LlamaDecoder decoder, EngineLimits limits, ForwardObserver observer, String name) {
        this(decoder, limits, observer, name, PrefixCacheOptions.DEFAULT);
    }

    /** @param prefixCache whether and how this engine keeps rows' prefixes for later rows */
    public RowEngine(LlamaDecoder decoder, EngineLimits limits, ForwardObserver observer, String name,
                     PrefixCacheOptions prefixCache) {
        this(decoder, limits, observer, name, prefixCache, decoder::forward);
    }

    /** @param forward runs the decoder's forward passes (tests wrap it to inject failures) */
    RowEngine(LlamaDecoder decoder, EngineLimits limits, ForwardObserver observer, String name,
              PrefixCacheOptions prefixCache, BatchRetry.Forward forward) {
        this.decoder = decoder;
        this.name = name;
        this.limits = limits;
        this.observer = observer;
        this.batches = new BatchRetry(observed(forward), limits);
        this.kvBudget = KvBudget.resolve(decoder, limits);
        this.prefixCache = decoder.newPrefixCache(prefixCache, this::unreservedBytes);
        this.thread = new Thread(this::loop, "nbce-engine");
        this.thread.setDaemon(true);
        // An Error (not caught below) ends the thread: say so; the watchdog reports it as unhealthy.
        this.thread.setUncaughtExceptionHandler((t, e) -> LOG.error("engine thread died", e));
        this.thread.start();
    }

    public LlamaDecoder decoder() {
        return decoder;
    }

    /** The prefix cache's counters (hits, queries, bytes) may be read from any thread. */
    public PrefixCache prefixCache() {
        return prefixCache;
    }

    /** A summary of the prefixes cached here (any thread). */
    public PrefixDigest prefixDigest() {
        return prefixDigest;
    }

    public int capacityRows() {
        return limits.capacityRows();
    }

    public int activeRows() {
        return activeRows.get();
    }

    /** Tokens of KV cache this worker holds when empty. */
    public int capacityTokens() {
        return kvBudget.capacityTokens();
    }

    /** The KV budget: its bytes, tokens and where it came from. */
    public KvBudget kvBudget() {
        return kvBudget;
    }

    /** Tokens of KV cache no open row has reserved (any thread); cached prefix blocks are evicted to admit them. */
    public int freeTokens() {
        return Math.max(0, kvBudget.capacityTokens() - reservedTokens.get());
    }

    /** Prefix cache blocks evicted to admit new rows, since start (any thread). */
    public long blocksEvictedForRows() {
        return blocksEvictedForRows.get();
    }

    /** Bytes of the KV budget the open rows have not reserved: the most the prefix cache may hold now. */
    private long unreservedBytes() {
        return kvBudget.budgetBytes() - (long) reservedTokens.get() * kvBudget.bytesPerToken();
    }

    /** False once the engine thread has ended (stopped, or died on an Error). */
    public boolean threadAlive() {
        return thread.isAlive();
    }

    /** How long the loop iteration in progress has run; 0 while the engine waits for commands. */
    public long currentIterationNanos() {
        return inIteration ? System.nanoTime() - iterationStartNanos : 0;
    }

    public int activeRequests() {
        return activeRequests.get();
    }

    /** Forwards that ran out of memory since start (any thread); see {@link BatchRetry}. */
    public long outOfMemoryForwards() {
        return batches.outOfMemoryForwards();
    }

    /** Places rows (a new request, or rows re-placed after a failure) and prefills them. */
    public CompletableFuture<ShardStep> open(OpenRows open) {
        return submit(reply -> new OpenCommand(open, reply));
    }

    /** Appends the chosen token to every row of the request here and computes the next report. */
    public CompletableFuture<ShardStep> advance(Advance advance) {
        return submit(reply -> new AdvanceCommand(advance, reply));
    }

    /** Frees the request's rows; unknown ids are ignored (close is idempotent). */
    public void close(String requestId) {
        inbox.add(new CloseCommand(requestId));
    }

    private CompletableFuture<ShardStep> submit(java.util.function.Function<CompletableFuture<ShardStep>, Command> make) {
        CompletableFuture<ShardStep> reply = new CompletableFuture<>();
        if (!running) {
            reply.completeExceptionally(new NbceException(ErrorCode.SHUTTING_DOWN, "worker is shutting down"));
        } else {
            inbox.add(make.apply(reply));
        }
        return reply;
    }

    private void loop() {
        List<Command> batch = new ArrayList<>();
        while (running) {
            try {
                if (prefilling.isEmpty()) {
                    batch.add(inbox.take());
                }
                iterationStartNanos = System.nanoTime();
                inIteration = true;
                gatherMore(batch);
                runLoopIteration(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } finally {
                inIteration = false;
                batch.clear();
            }
        }
        NbceException stopped = new NbceException(ErrorCode.SHUTTING_DOWN, "worker is shutting down");
        prefilling.forEach(p -> p.pending.reply().completeExceptionally(stopped));
        prefilling.clear();
        shards.values().forEach(RequestShard::close);
        shards.clear();
        prefixCache.close();
        failQueued();
    }

    /**
     * Takes what else has arrived. While some active request has not yet sent its next step, waits
     * a little for it, so that concurrent requests share one forward instead of alternating.
     */
    private void gatherMore(List<Command> batch) throws InterruptedException {
        inbox.drainTo(batch);
        long deadline = System.nanoTime() + limits.batchWaitNanos();
        while (countAdvances(batch) < decodingRequests() && System.nanoTime() < deadline) {
            Command next = inbox.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (next == null) {
                break;
            }
            batch.add(next);
            inbox.drainTo(batch);
        }
    }

    /** Requests whose rows are all prefilled: the ones that will send an Advance next. */
    private long decodingRequests() {
        return shards.size() - prefilling.stream().map(p -> p.pending.shard().requestId).distinct().count();
    }

    private static long countAdvances(List<Command> batch) {
        return batch.stream().filter(AdvanceCommand.class::isInstance).count();
    }

    private void runLoopIteration(List<Command> batch) {
        List<Pending> pending = new ArrayList<>();
        List<String> closes = new ArrayList<>();
        java.util.Set<String> failed = new java.util.HashSet<>();
        try {
            for (Command command : batch) {
                try {
                    if (command instanceof CloseCommand close) {
                        closes.add(close.requestId());
                    } else if (command instanceof OpenCommand open) {
                        pending.add(prepareOpen(open));
                    } else if (command instanceof AdvanceCommand advance) {
                        pending.add(prepareAdvance(advance));
                    } else {
                        running = false;
                    }
                } catch (NbceException e) {
                    failReply(command, e);
                }
            }
            // New opens join the prefills before streams are counted: a request alone on the worker is
            // prefilled at full speed, not one chunk per loop as if it were a stream waiting for itself.
            pending.stream().filter(p -> p.open()).map(Prefill::new).forEach(prefilling::add);
            // Decode steps of running requests go first, in one forward of their own, and are answered
            // before any prefill runs: a newcomer's long prompt must not stall every stream.
            boolean streamsWaiting = !decodes(pending).isEmpty() || decodingRequests() > 0;
            if (!decodes(pending).isEmpty()) {
                forwardAndReport(decodes(pending));
            }
            if (!prefilling.isEmpty()) {
                advancePrefills(streamsWaiting ? decoder.options().prefillChunkTokens() : Integer.MAX_VALUE);
            }
        } catch (RuntimeException e) {
            // Never let the engine thread die: fail this iteration's requests, keep serving the rest.
            LOG.error("engine iteration failed", e);
            NbceException failure = new NbceException(ErrorCode.INTERNAL, name + " failed: " + e.getMessage());
            batch.forEach(c -> failReply(c, failure));
            pending.forEach(p -> failed.add(p.shard().requestId));
            prefilling.forEach(p -> {
                p.pending.reply().completeExceptionally(failure);
                failed.add(p.pending.shard().requestId);
            });
        } finally {
            // Closes run after the forward: a cancel that races a step must not pull rows out from under it.
            // Rows of a failed iteration are suspect: they are dropped, never cached.
            failed.forEach(this::closeShard);
            closes.stream().filter(id -> !failed.contains(id)).forEach(this::retireShard);
            if (prefixCache.version() != digestVersion) {
                digestVersion = prefixCache.version();
                prefixDigest = PrefixDigest.of(prefixCache.options().blockTokens(), prefixCache.blockHashes());
            }
        }
    }

    private Pending prepareOpen(OpenCommand command) {
        OpenRows open = command.open();
        List<RowPrompt> rows = open.rows();
        if (rows.isEmpty()) {
            throw new NbceException(ErrorCode.BAD_REQUEST, "no rows to open");
        }
        int maxPositions = decoder.config().maxPositions();
        for (RowPrompt row : rows) {
            if (row.tokenIds().length == 0 || row.tokenIds().length >= maxPositions) {
                throw new NbceException(ErrorCode.BAD_REQUEST, "row " + row.row() + " has " + row.tokenIds().length
                        + " tokens; the model takes 1.." + (maxPositions - 1));
            }
        }
        if (activeRows.get() + rows.size() > limits.capacityRows()) {
            throw new NbceException(ErrorCode.CAPACITY, "worker has " + (limits.capacityRows() - activeRows.get())
                    + " free rows, request needs " + rows.size());
        }
        long need = 0;
        for (RowPrompt row : rows) {
            need += OpenRows.reservedTokens(row.tokenIds().length, open.answerTokens(), maxPositions);
        }
        if (need > freeTokens()) {
            throw new NbceException(ErrorCode.CAPACITY, name + " has " + freeTokens() + " free KV tokens of "
                    + capacityTokens() + ", the rows need " + need);
        }
        RequestShard shard = shards.get(open.requestId());
        if (shard == null) {
            shard = new RequestShard(open.requestId(), open.params(), open.previousChosenRow(), open.step());
            shards.put(open.requestId(), shard);
            activeRequests.incrementAndGet();
        } else if (shard.step() != open.step()) {
            throw new NbceException(ErrorCode.BAD_REQUEST, "rows for " + open.requestId() + " opened at step "
                    + open.step() + " but the request here is at step " + shard.step());
        }
        // Rows come first: cached blocks make way for this reservation (it fits the budget, so the cache
        // emptied at worst). Before restoring, so the rows never hold memory the cache still counts.
        int evicted = prefixCache.shrinkTo(unreservedBytes() - need * kvBudget.bytesPerToken());
        blocksEvictedForRows.addAndGet(Math.max(0, evicted));
        List<Integer> positions = new ArrayList<>();
        List<int[]> tokens = new ArrayList<>();
        for (RowPrompt row : rows) {
            RowCache cache = decoder.newRow();
            positions.add(shard.rowCount());
            shard.addRow(row.row(), cache);
            tokens.add(java.util.Arrays.copyOfRange(row.tokenIds(), restore(cache, row.tokenIds()), row.tokenIds().length));
        }
        activeRows.addAndGet(rows.size());
        shard.reserve((int) need);
        reservedTokens.addAndGet((int) need);
        return new Pending(shard, positions, tokens, command.reply(), true);
    }

    private Pending prepareAdvance(AdvanceCommand command) {
        Advance advance = command.advance();
        RequestShard shard = shards.get(advance.requestId());
        if (shard == null) {
            throw new NbceException(ErrorCode.UNKNOWN_REQUEST, "no rows of request " + advance.requestId() + " on this worker");
        }
        if (advance.step() != shard.step() + 1) {
            throw new NbceException(ErrorCode.BAD_REQUEST, "request " + advance.requestId() + " is at step "
                    + shard.step() + ", cannot advance to step " + advance.step());
        }
        if (advance.token() < 0 || advance.token() >= decoder.config().vocab()) {
            throw new NbceException(ErrorCode.BAD_REQUEST, "token id " + advance.token() + " outside the vocabulary");
        }
        if (shard.caches().get(0).length() + 1 >= decoder.config().maxPositions()) {
            throw new NbceException(ErrorCode.BAD_REQUEST, "request " + advance.requestId() + " reached the model's maximum length");
        }
        shard.advanceTo(advance.step(), advance.chosenRow());
        int[] token = {advance.token()};
        List<Integer> positions = IntStream.range(0, shard.rowCount()).boxed().toList();
        List<int[]> tokens = positions.stream().map(p -> token).toList();
        return new Pending(shard, positions, tokens, command.reply(), false);
    }

    /**
     * One forward over every pending row (split only when it would exceed the batch budget, or to
     * isolate a request that runs out of memory: see {@link BatchRetry}).
     */
    private void forwardAndReport(List<Pending> pending) {
        List<BatchRetry.Item> items = new ArrayList<>();
        for (Pending p : pending) {
            for (int i = 0; i < p.positions().size(); i++) {
                items.add(new BatchRetry.Item(p.shard().requestId, p.shard().caches().get(p.positions().get(i)),
                        p.tokens().get(i), false));
            }
        }
        BatchRetry.Outcome outcome;
        try {
            outcome = batches.run(items);
        } catch (RuntimeException e) {
            // A failed forward leaves caches half-written: drop the shards; the gateway re-places them.
            for (Pending p : pending) {
                closeShard(p.shard().requestId);
                p.reply().completeExceptionally(new NbceException(ErrorCode.INTERNAL, name + ": forward pass failed: " + e.getMessage()));
            }
            return;
        }
        int offset = 0;
        for (Pending p : pending) {
            int n = p.positions().size();
            RuntimeException oom = outcome.failed().get(p.shard().requestId);
            if (oom != null) {
                p.reply().completeExceptionally(outOfMemory(p.shard().requestId, oom));
                closeShard(p.shard().requestId);
            } else {
                report(p, java.util.Arrays.copyOfRange(outcome.logits(), offset, offset + n));
            }
            offset += n;
        }
    }

    /**
     * Feeds the rows being prefilled, oldest first, at most {@code budget} new tokens in all (each
     * row's slice at most one chunk), in one batched forward; an open whose rows are all in their
     * caches is reported. Slices continue where the cache ends, so the result equals one pass.
     */
    private void advancePrefills(int budget) {
        int chunk = decoder.options().prefillChunkTokens();
        List<Prefill> fedJobs = new ArrayList<>();
        List<Integer> fedRows = new ArrayList<>();
        List<BatchRetry.Item> items = new ArrayList<>();
        int left = budget;
        for (Prefill job : prefilling) {
            for (int i = 0; i < job.fed.length && left > 0; i++) {
                int[] all = job.pending.tokens().get(i);
                int n = Math.min(Math.min(chunk, left), all.length - job.fed[i]);
                if (n <= 0) {
                    continue;
                }
                fedJobs.add(job);
                fedRows.add(i);
                items.add(new BatchRetry.Item(job.pending.shard().requestId,
                        job.pending.shard().caches().get(job.pending.positions().get(i)),
                        java.util.Arrays.copyOfRange(all, job.fed[i], job.fed[i] + n), true));
                left -= n;
            }
            if (left <= 0) {
                break;
            }
        }
        BatchRetry.Outcome outcome;
        try {
            outcome = batches.run(items);
        } catch (RuntimeException e) {
            // The slices' caches are half-filled: drop those requests; the gateway re-places them.
            for (Prefill job : new java.util.LinkedHashSet<>(fedJobs)) {
                prefilling.remove(job);
                closeShard(job.pending.shard().requestId);
                job.pending.reply().completeExceptionally(
                        new NbceException(ErrorCode.INTERNAL, name + ": prefill failed: " + e.getMessage()));
            }
            return;
        }
        // Before anything is reported or stored: a request that ran out of memory leaves with its rows.
        for (Prefill job : new java.util.LinkedHashSet<>(fedJobs)) {
            RuntimeException oom = outcome.failed().get(job.pending.shard().requestId);
            if (oom != null) {
                job.pending.reply().completeExceptionally(outOfMemory(job.pending.shard().requestId, oom));
            }
        }
        outcome.failed().keySet().forEach(this::closeShard);
        for (int k = 0; k < fedJobs.size(); k++) {
            Prefill job = fedJobs.get(k);
            if (!outcome.failed().containsKey(job.pending.shard().requestId)) {
                int row = fedRows.get(k);
                job.fed[row] += outcome.fed()[k];
                job.lastLogits[row] = outcome.logits()[k];
            }
        }
        for (java.util.Iterator<Prefill> it = prefilling.iterator(); it.hasNext(); ) {
            Prefill job = it.next();
            if (job.done()) {
                it.remove();
                report(job.pending, job.lastLogits);
                // After the report: a shard it found corrupt is closed by then and is not stored.
                RequestShard shard = job.pending.shard();
                if (shards.get(shard.requestId) == shard) {
                    job.pending.positions().forEach(p -> prefixCache.store(shard.caches().get(p)));
                }
            }
        }
    }

    /** Checks and reduces one shard's new last-position logits and answers its caller. */
    private void report(Pending p, float[][] rowsLogits) {
        int[] rowIndices = p.shard().rowIndices(p.positions());
        String nonFinite = LogitsCheck.describe(rowsLogits, rowIndices);
        if (nonFinite != null) {
            // Never answer from a corrupt distribution; the rows' caches are suspect too.
            LOG.error("{}: request {} step {}: {}", name, p.shard().requestId, p.shard().step(), nonFinite);
            closeShard(p.shard().requestId);
            p.reply().completeExceptionally(new NbceException(ErrorCode.INTERNAL, name + ": " + nonFinite
                    + " of request " + p.shard().requestId + " at step " + p.shard().step()));
            return;
        }
        try {
            var report = ShardReducer.reduce(rowIndices, rowsLogits, p.shard().params(), p.shard().previousChosenRow());
            p.reply().complete(new ShardStep(p.shard().requestId, p.shard().step(), report));
        } catch (RuntimeException e) {
            p.reply().completeExceptionally(new NbceException(ErrorCode.INTERNAL, name + ": reduce failed: " + e.getMessage()));
        }
    }

    /** The forward, timed for the observer (only passes that succeed are observed). */
    private BatchRetry.Forward observed(BatchRetry.Forward forward) {
        return (rows, tokens) -> {
            long t0 = System.nanoTime();
            float[][] out = forward.forward(rows, tokens);
            observer.onForward(rows.size(), tokens.stream().mapToInt(t -> t.length).sum(), System.nanoTime() - t0);
            return out;
        };
    }

    /**
     * The error of a request whose forward ran out of memory even alone, one row and one token: this
     * worker has no memory to spare for it now, which another worker may have, so the code is the
     * retryable {@code internal} (the gateway places the rows elsewhere). The caller closes the shard:
     * its rows and reserved tokens are freed and nothing of it is cached.
     */
    private NbceException outOfMemory(String requestId, RuntimeException oom) {
        LOG.warn("{}: request {} ran out of memory in a forward of its own; failing it: {}", name, requestId,
                OutOfMemory.summary(oom));
        return new NbceException(ErrorCode.INTERNAL, name + " ran out of memory for request " + requestId
                + ", even for one row and one token alone (" + OutOfMemory.summary(oom) + ")");
    }

    /** The tokens of {@code prompt} restored from the prefix cache; a failed restore leaves the row empty: prefill all. */
    private int restore(RowCache row, int[] prompt) {
        try {
            return prefixCache.restore(row, prompt);
        } catch (RuntimeException e) {
            LOG.warn("{}: prefix cache restore failed, prefilling the whole row: {}", name, e.toString());
            if (row.length() > 0) {
                throw e; // cannot happen (a failed append changes nothing), but never continue from a partial row
            }
            return 0;
        }
    }

    /** Closes a request that ended normally (finished or cancelled), keeping its rows' blocks first. */
    private void retireShard(String requestId) {
        RequestShard shard = shards.get(requestId);
        boolean prefilled = prefilling.stream().noneMatch(p -> p.pending.shard().requestId.equals(requestId));
        if (shard != null && prefilled) {
            shard.caches().forEach(prefixCache::store);
        }
        closeShard(requestId);
    }

    private void closeShard(String requestId) {
        RequestShard shard = shards.remove(requestId);
        for (java.util.Iterator<Prefill> it = prefilling.iterator(); it.hasNext(); ) {
            Prefill job = it.next();
            if (job.pending.shard().requestId.equals(requestId)) {
                it.remove();
                job.pending.reply().completeExceptionally(
                        new NbceException(ErrorCode.UNKNOWN_REQUEST, "request " + requestId + " was closed while prefilling"));
            }
        }
        if (shard != null) {
            activeRows.addAndGet(-shard.rowCount());
            reservedTokens.addAndGet(-shard.reservedTokens());
            activeRequests.decrementAndGet();
            shard.close();
        }
    }

    private static void failReply(Command command, NbceException e) {
        if (command instanceof OpenCommand open) {
            open.reply().completeExceptionally(e);
        } else if (command instanceof AdvanceCommand advance) {
            advance.reply().completeExceptionally(e);
        }
    }

    private void failQueued() {
        List<Command> left = new ArrayList<>();
        inbox.drainTo(left);
        NbceException stopped = new NbceException(ErrorCode.SHUTTING_DOWN, "worker is shutting down");
        left.forEach(c -> failReply(c, stopped));
    }

    @Override
    public void close() {
        running = false;
        inbox.add(new StopCommand());
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
