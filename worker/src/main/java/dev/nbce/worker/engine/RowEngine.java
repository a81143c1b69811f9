package dev.nbce.worker.engine;

import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;
import dev.nbce.common.prefix.PrefixDigest;
import dev.nbce.common.wire.Advance;
import dev.nbce.common.wire.OpenRows;
import dev.nbce.common.wire.ShardStep;
import dev.nbce.worker.decoder.LlamaDecoder;
import dev.nbce.worker.decoder.PrefixCache;
import dev.nbce.worker.decoder.PrefixCacheOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

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

    private final LlamaDecoder decoder;
    private final String name;
    private final EngineLimits limits;
    private final ModelRunner runner;
    private final PrefixCache prefixCache; // engine thread only, counters excepted
    private final PrefixPolicy prefixPolicy;
    private final LinkedBlockingQueue<Command> inbox = new LinkedBlockingQueue<>();
    private final Requests requests; // engine thread only, counts excepted
    private final Scheduler scheduler; // engine thread only
    private final KvManager kv;
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
        this(decoder, limits, observer, name, PrefixCacheOptions.fromEnvironment());
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
        this.scheduler = new Scheduler(decoder.options().prefillChunkTokens());
        this.kv = new KvManager(KvBudget.resolve(decoder, limits));
        this.prefixCache = decoder.newPrefixCache(prefixCache, kv::unreservedBytes);
        this.prefixPolicy = new PrefixPolicy(this.prefixCache, name);
        this.requests = new Requests(decoder.config(), decoder::newRow, limits.capacityRows(), name, kv, prefixPolicy,
                scheduler);
        this.runner = new ModelRunner(forward, limits, observer, name, requests, scheduler);
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
        return prefixPolicy.digest();
    }

    public int capacityRows() {
        return limits.capacityRows();
    }

    public int activeRows() {
        return requests.activeRows();
    }

    /** Tokens of KV cache this worker holds when empty. */
    public int capacityTokens() {
        return kv.budget().capacityTokens();
    }

    /** The KV budget: its bytes, tokens and where it came from. */
    public KvBudget kvBudget() {
        return kv.budget();
    }

    /** Tokens of KV cache no open row has reserved (any thread); cached prefix blocks are evicted to admit them. */
    public int freeTokens() {
        return kv.freeTokens();
    }

    /** Prefix cache blocks evicted to admit new rows, since start (any thread). */
    public long blocksEvictedForRows() {
        return kv.blocksEvictedForRows();
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
        return requests.activeRequests();
    }

    /** Forwards that ran out of memory since start (any thread); see {@link BatchRetry}. */
    public long outOfMemoryForwards() {
        return runner.outOfMemoryForwards();
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
                if (scheduler.isEmpty()) {
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
        scheduler.drain().forEach(p -> p.pending.reply().completeExceptionally(stopped));
        requests.closeAll();
        prefixPolicy.close();
        failQueued();
    }

    /**
     * Takes what else has arrived. While some active request has not yet sent its next step, waits
     * a little for it, so that concurrent requests share one forward instead of alternating.
     */
    private void gatherMore(List<Command> batch) throws InterruptedException {
        inbox.drainTo(batch);
        long deadline = System.nanoTime() + limits.batchWaitNanos();
        while (countAdvances(batch) < scheduler.decoding(requests.size()) && System.nanoTime() < deadline) {
            Command next = inbox.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (next == null) {
                break;
            }
            batch.add(next);
            inbox.drainTo(batch);
        }
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
                        pending.add(requests.open(open.open(), open.reply()));
                    } else if (command instanceof AdvanceCommand advance) {
                        pending.add(requests.advance(advance.advance(), advance.reply()));
                    } else {
                        running = false;
                    }
                } catch (NbceException e) {
                    failReply(command, e);
                }
            }
            // Decode steps go first and are answered before any prefill runs: a newcomer's long prompt
            // must not stall every stream.
            List<Pending> decodes = scheduler.decodeFirst(pending);
            int prefillBudget = scheduler.prefillBudget(decodes, requests.size());
            if (!decodes.isEmpty()) {
                runner.decode(decodes);
            }
            if (!scheduler.isEmpty()) {
                prefill(scheduler.slices(prefillBudget));
            }
        } catch (RuntimeException e) {
            // Never let the engine thread die: fail this iteration's requests, keep serving the rest.
            LOG.error("engine iteration failed", e);
            NbceException failure = new NbceException(ErrorCode.INTERNAL, name + " failed: " + e.getMessage());
            batch.forEach(c -> failReply(c, failure));
            pending.forEach(p -> failed.add(p.shard().requestId));
            scheduler.jobs().forEach(p -> {
                p.pending.reply().completeExceptionally(failure);
                failed.add(p.requestId());
            });
        } finally {
            // Closes run after the forward: a cancel that races a step must not pull rows out from under it.
            // Rows of a failed iteration are suspect: they are dropped, never cached.
            failed.forEach(requests::close);
            closes.stream().filter(id -> !failed.contains(id)).forEach(requests::retire);
            prefixPolicy.refreshDigest();
        }
    }

    /** This loop's prefill; an open whose rows are all in is reported, then its rows' blocks are stored. */
    private void prefill(List<Scheduler.Slice> slices) {
        if (!runner.prefill(slices)) {
            return;
        }
        for (Prefill job = scheduler.pollDone(); job != null; job = scheduler.pollDone()) {
            runner.report(job.pending, job.lastLogits);
            // After the report: a shard it found corrupt is closed by then.
            RequestShard shard = job.pending.shard();
            prefixPolicy.prefilled(shard, job.pending.positions(), requests.isOpen(shard));
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
