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
import dev.nbce.common.constraint.CompilerPool;
import dev.nbce.structured.CompileLimits;
import dev.nbce.structured.ConstraintException;
import dev.nbce.structured.ConstraintSpec;
import java.util.concurrent.CompletionException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Runs the model for every request placed on this worker, on one thread of its own. Each loop is one
 * step of continuous batching (requests join and leave between steps): take the commands that arrived
 * ({@link Inbox}), admit them ({@link Requests}: row capacity, the KV budget of {@link KvManager}, a
 * prefix restored by {@link PrefixPolicy}), schedule ({@link Scheduler}: decode steps first, then
 * chunked prefill), forward and report ({@link ModelRunner}, which isolates a request that runs out of
 * memory), then release what closed. Callers on event loops only enqueue.
 */
public final class RowEngine implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RowEngine.class);
    /** Observes each forward pass, for metrics. */
    public interface ForwardObserver {
        void onForward(int rows, int tokens, long nanos);
    }

    private final LlamaDecoder decoder;
    private final String name;
    private final EngineLimits limits;
    private final ModelRunner runner;
    private final PrefixCache prefixCache; // engine thread only, counters excepted
    private final PrefixPolicy prefixPolicy;
    private final Inbox inbox;
    private final Requests requests; // engine thread only, counts excepted
    private final Scheduler scheduler; // engine thread only
    private final KvManager kv;
    private final CompilerPool constraints;
    /** Requests whose open waits for its constraint to compile: true once a close came meanwhile. Guarded by itself. */
    private final Map<String, Boolean> compiling = new HashMap<>();
    private final Thread thread;
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

    /** @param constraints compiles requests' constraints for this engine (tests give a compiler of their own) */
    public RowEngine(LlamaDecoder decoder, EngineLimits limits, ForwardObserver observer, String name,
                     PrefixCacheOptions prefixCache, CompilerPool constraints) {
        this(decoder, limits, observer, name, prefixCache, decoder::forward, constraints);
    }

    /** @param forward runs the decoder's forward passes (tests wrap it to inject failures) */
    RowEngine(LlamaDecoder decoder, EngineLimits limits, ForwardObserver observer, String name,
              PrefixCacheOptions prefixCache, BatchRetry.Forward forward) {
        this(decoder, limits, observer, name, prefixCache, forward,
                new CompilerPool(decoder.tokenizerJson().orElse(null), CompileLimits.DEFAULT));
    }

    private RowEngine(LlamaDecoder decoder, EngineLimits limits, ForwardObserver observer, String name,
                      PrefixCacheOptions prefixCache, BatchRetry.Forward forward, CompilerPool constraints) {
        this.decoder = decoder;
        this.name = name;
        this.limits = limits;
        this.inbox = new Inbox(limits.batchWaitNanos());
        this.scheduler = new Scheduler(decoder.options().prefillChunkTokens());
        this.kv = new KvManager(KvBudget.resolve(decoder, limits));
        this.prefixCache = decoder.newPrefixCache(prefixCache, kv::unreservedBytes);
        this.prefixPolicy = new PrefixPolicy(this.prefixCache, name);
        this.requests = new Requests(decoder.config(), decoder::newRow, limits.capacityRows(), name, kv, prefixPolicy,
                scheduler);
        this.runner = new ModelRunner(forward, limits, observer, name, requests, scheduler);
        this.constraints = constraints;
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
    public int capacityKvTokens() {
        return kv.budget().capacityKvTokens();
    }

    /** The KV budget: its bytes, tokens and where it came from. */
    public KvBudget kvBudget() {
        return kv.budget();
    }

    /** Tokens of KV cache no open row has reserved (any thread); cached prefix blocks are evicted to admit them. */
    public int freeKvTokens() {
        return kv.freeKvTokens();
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

    /**
     * Places rows (a new request, or rows re-placed after a failure) and prefills them. A constraint is compiled
     * first, off the engine thread; a close that comes meanwhile fails the open instead of leaving its rows behind.
     */
    public CompletableFuture<ShardStep> open(OpenRows open) {
        String constraint = open.rules().constraint();
        if (constraint == null) {
            return inbox.open(open, null);
        }
        synchronized (compiling) {
            compiling.put(open.requestId(), false);
        }
        CompletableFuture<CompilerPool.Compiled> compiled;
        try {
            compiled = constraints.compile(ConstraintSpec.fromJson(constraint));
        } catch (ConstraintException e) {
            compiled = CompletableFuture.failedFuture(e);
        }
        return compiled.handle((constraintHere, error) -> {
            synchronized (compiling) {
                boolean closed = Boolean.TRUE.equals(compiling.remove(open.requestId()));
                if (error != null) {
                    return CompletableFuture.<ShardStep>failedFuture(refused(error));
                }
                if (closed) {
                    return CompletableFuture.<ShardStep>failedFuture(new NbceException(ErrorCode.UNKNOWN_REQUEST,
                            "request " + open.requestId() + " was closed while its constraint compiled"));
                }
                return inbox.open(open, constraintHere);
            }
        }).thenCompose(reply -> reply);
    }

    /** Appends the chosen token to every row of the request here and computes the next report. */
    public CompletableFuture<ShardStep> advance(Advance advance) {
        return inbox.advance(advance);
    }

    /** Why a constraint could not be compiled here, as the gateway's error. */
    private static NbceException refused(Throwable error) {
        Throwable cause = error instanceof CompletionException c && c.getCause() != null ? c.getCause() : error;
        if (cause instanceof ConstraintException e) {
            return new NbceException(ErrorCode.BAD_REQUEST, "constraint refused by this worker: " + e.getMessage()
                    + (e.path().isEmpty() ? "" : " (at " + e.path() + ")"));
        }
        return new NbceException(ErrorCode.INTERNAL, "cannot compile the constraint: " + NbceException.describe(cause));
    }

    /** Frees the request's rows; unknown ids are ignored (close is idempotent). */
    public void close(String requestId) {
        synchronized (compiling) {
            compiling.computeIfPresent(requestId, (id, closed) -> true);
            inbox.close(requestId);
        }
    }

    private void loop() {
        List<Inbox.Command> batch = new ArrayList<>();
        while (inbox.running()) {
            try {
                if (scheduler.isEmpty()) {
                    inbox.take(batch);
                }
                iterationStartNanos = System.nanoTime();
                inIteration = true;
                // Decoding requests' next steps are waited for a little, so they share one forward.
                inbox.gatherMore(batch, scheduler.decoding(requests.size()));
                step(batch);
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
        inbox.failQueued();
    }

    /** One step of the algorithm: admit, schedule, forward and report, release. */
    private void step(List<Inbox.Command> batch) {
        List<Pending> pending = new ArrayList<>();
        List<String> closes = new ArrayList<>();
        Set<String> failed = new HashSet<>();
        try {
            admit(batch, pending, closes);
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
            batch.forEach(c -> Inbox.fail(c, failure));
            pending.forEach(p -> failed.add(p.requestId()));
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

    /** Admits the batch's opens and advances into {@code pending}; a refused one is answered at once. */
    private void admit(List<Inbox.Command> batch, List<Pending> pending, List<String> closes) {
        for (Inbox.Command command : batch) {
            try {
                if (command instanceof Inbox.CloseCommand close) {
                    closes.add(close.requestId());
                } else if (command instanceof Inbox.OpenCommand open) {
                    pending.add(requests.open(open.open(), open.constraint(), open.reply()));
                } else if (command instanceof Inbox.AdvanceCommand advance) {
                    pending.add(requests.advance(advance.advance(), advance.reply()));
                }
            } catch (NbceException e) {
                Inbox.fail(command, e);
            }
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

    @Override
    public void close() {
        constraints.close();
        inbox.stop();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
