package dev.nbce.gateway.service;

import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;
import dev.nbce.gateway.request.FinishReason;
import dev.nbce.gateway.request.GenerationRequest;
import dev.nbce.gateway.request.GenerationResult;
import dev.nbce.gateway.request.Usage;
import dev.nbce.gateway.session.GenerationPlan;
import dev.nbce.gateway.session.GenerationSession;
import dev.nbce.gateway.session.RowExecutor;
import dev.nbce.gateway.session.SessionClock;
import dev.nbce.gateway.session.SessionListener;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Admits requests, prepares their rows off the event loop, runs their sessions and releases their
 * slot when they end. The one entry point shared by every API and by the CLI. Call from the
 * Vert.x context that should run the sessions. {@link #drain} stops it gracefully.
 */
public final class NbceService {
    /** One logfmt line per request start and end, keyed by request id, for log pipelines. */
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("nbce.requests");
    /** Retryable: the client should send the request again, to another replica. */

    private final Vertx vertx;
    private final PromptPreparer preparer;
    private final CheapLimits cheapLimits;
    private final RowExecutor executor;
    private final AdmissionControl admission;
    private final GatewayLimits limits;
    private final ServiceObserver observer;
    private final RequestIds requestIds;
    private final GatewayConstraints constraints;
    /** Every admitted request not yet ended (queued, preparing or generating). */
    private final Set<Run> runs = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;

    public NbceService(Vertx vertx, PromptPreparer preparer, RowExecutor executor, GatewayLimits limits,
                       ServiceObserver observer) {
        this(vertx, preparer, executor, limits, observer, new RequestIds(RequestIds.newInstanceId()));
    }

    /** @param requestIds ids unique across the cluster (workers key rows by them) */
    public NbceService(Vertx vertx, PromptPreparer preparer, RowExecutor executor, GatewayLimits limits,
                       ServiceObserver observer, RequestIds requestIds) {
        this(vertx, preparer, executor, limits, observer, requestIds, GatewayConstraints.of(preparer));
    }

    /** @param constraints checks and compiles requests' constraints before their rows are prepared */
    public NbceService(Vertx vertx, PromptPreparer preparer, RowExecutor executor, GatewayLimits limits,
                       ServiceObserver observer, RequestIds requestIds, GatewayConstraints constraints) {
        this.constraints = constraints;
        this.requestIds = requestIds;
        this.vertx = vertx;
        this.preparer = preparer;
        this.cheapLimits = new CheapLimits(limits, preparer.model().tokenizer().longestTokenBytes());
        this.executor = executor;
        this.limits = limits;
        this.admission = new AdmissionControl(limits.maxActive(), limits.maxQueued());
        this.observer = observer;
    }

    public PromptPreparer preparer() {
        return preparer;
    }

    public GatewayLimits limits() {
        return limits;
    }

    public AdmissionControl admission() {
        return admission;
    }

    /** Where this service reports its requests; the HTTP edge reports its connections there too. */
    public ServiceObserver observer() {
        return observer;
    }

    /** True once {@link #drain} was called: no new requests are taken. */
    public boolean draining() {
        return draining;
    }

    /** Requests admitted and not yet ended. */
    public int inFlight() {
        return runs.size();
    }

    /**
     * Graceful stop: from now on new requests are refused with the retryable {@code shutting_down};
     * requests already admitted may finish for up to {@code grace}; the rest then end with
     * {@code shutting_down} and their rows are closed. Completes once no request is left (or a few
     * seconds after the grace if some refuse to end).
     */
    public Future<Void> drain(Duration grace) {
        draining = true;
        Promise<Void> drained = Promise.promise();
        long abortAt = System.nanoTime() + grace.toNanos();
        long giveUpAt = abortAt + Duration.ofSeconds(5).toNanos();
        NbceException stopping = new NbceException(ErrorCode.SHUTTING_DOWN,
                "the gateway is shutting down; send the request again", 1);
        boolean[] aborted = {false};
        // A timer that sets the next one, not a periodic one: cancelling a periodic timer from its own
        // first run (delay 0) fails inside Vert.x before the timer is registered.
        Handler<Long> check = new Handler<>() {
            @Override
            public void handle(Long timer) {
                long now = System.nanoTime();
                if (runs.isEmpty() || now > giveUpAt) {
                    drained.tryComplete();
                    return;
                }
                if (now > abortAt && !aborted[0]) {
                    aborted[0] = true;
                    LOG.warn("event=drain_deadline requests={}", runs.size());
                    runs.forEach(run -> run.abort(stopping));
                }
                vertx.setTimer(50, this);
            }
        };
        vertx.runOnContext(v -> check.handle(-1L));
        return drained.future();
    }

    /**
     * Starts (or queues) a generation.
     *
     * @throws NbceException "overloaded" when the queue is full, "bad_request" for limit violations,
     *                       "shutting_down" (retryable) while draining
     */
    public RunningGeneration submit(GenerationRequest request, SessionListener listener) {
        return submit(request, listener, RequestOrigin.INTERNAL);
    }

    /** As {@link #submit(GenerationRequest, SessionListener)}, for a request from {@code origin} (its trace's root). */
    public RunningGeneration submit(GenerationRequest request, SessionListener listener, RequestOrigin origin) {
        if (draining) {
            throw new NbceException(ErrorCode.SHUTTING_DOWN, "this gateway is shutting down; send the request again", 1);
        }
        cheapLimits.check(request);
        String requestId = requestIds.next();
        Context context = vertx.getOrCreateContext();
        Promise<GenerationResult> result = Promise.promise();
        RequestObserver trace = observer.admitted(requestId, origin);
        Run run = new Run(requestId, request, listener, context, result, trace);
        try {
            admission.admit(run);
        } catch (NbceException overloaded) {
            trace.ended(null, overloaded);
            throw overloaded;
        }
        runs.add(run);
        result.future().onComplete(ended -> {
            runs.remove(run);
            trace.ended(ended.result(), ended.cause());
        });
        observer.queueDepth(admission.queued());
        return new RunningGeneration(requestId, result.future(), run::cancel);
    }

    /** One admitted request through its life: queued, preparing, generating, ended. */
    private final class Run implements AdmissionControl.Ticket {
        private final String requestId;
        private final GenerationRequest request;
        private final SessionListener listener;
        private final Context context;
        private final Promise<GenerationResult> result;
        private final RequestObserver trace;
        private GenerationSession session;
        private boolean cancelled;
        private boolean started;
        /** Why a drain ended this request early; replaces its "cancelled" result. */
        private NbceException abortCause;

        Run(String requestId, GenerationRequest request, SessionListener listener, Context context,
            Promise<GenerationResult> result, RequestObserver trace) {
            this.trace = trace;
            this.requestId = requestId;
            this.request = request;
            this.listener = listener;
            this.context = context;
            this.result = result;
        }

        @Override
        public void start() {
            started = true;
            observer.started();
            LOG.info("event=start request={} contexts={} document={} max_new_tokens={} pooling={}", requestId,
                    request.contexts().size(), request.document() != null, request.maxNewTokens(),
                    request.nbce().pooling().wireName());
            long startNanos = System.nanoTime();
            trace.started();
            // The constraint compiles on its own pool first: a hostile schema never holds the prompts' pool.
            constraints.check(request, context)
                    .compose(checked -> context.<GenerationPlan>executeBlocking(() -> {
                        GenerationPlan plan = checkLimits(preparer.prepare(requestId, checked));
                        trace.prepared(plan);
                        return plan;
                    }, false))
                    .compose(plan -> {
                        if (cancelled) {
                            return Future.succeededFuture(cancelledBeforeStart());
                        }
                        session = new GenerationSession(plan, executor, preparer.newTextStream(),
                                trace.wrap(observer.wrap(listener, startNanos)), SessionClock.of(vertx),
                                limits.capacityWait(), limits.speculation());
                        return session.start();
                    })
                    .map(ended -> {
                        if (abortCause != null && ended.finishReason() == FinishReason.CANCELLED) {
                            throw abortCause;
                        }
                        return ended;
                    })
                    .onComplete(ended -> {
                        logEnd(requestId, ended.succeeded() ? ended.result() : null, ended.cause(), startNanos);
                        admission.release();
                        observer.queueDepth(admission.queued());
                        observer.ended(ended.succeeded() ? ended.result() : null, System.nanoTime() - startNanos);
                        if (ended.succeeded()) {
                            result.tryComplete(ended.result());
                        } else {
                            result.tryFail(NbceException.of(ended.cause()));
                        }
                    });
        }

        @Override
        public boolean abandoned() {
            return cancelled;
        }

        void cancel() {
            context.runOnContext(v -> {
                cancelled = true;
                if (session != null) {
                    session.cancel();
                } else if (!started) {
                    result.tryComplete(cancelledBeforeStart());
                }
            });
        }

        /** Ends the request with {@code why} (cancelling its session, which closes its rows). */
        void abort(NbceException why) {
            context.runOnContext(v -> {
                abortCause = why;
                cancelled = true;
                if (session != null) {
                    session.cancel();
                } else if (!started) {
                    result.tryFail(why);
                }
            });
        }

        private GenerationPlan checkLimits(GenerationPlan plan) {
            if (plan.windowCount() > limits.maxWindows()) {
                throw new NbceException(ErrorCode.TOO_LARGE, plan.windowCount() + " windows exceed this server's limit of "
                        + limits.maxWindows());
            }
            int tokens = plan.rowTokenIds().stream().mapToInt(r -> r.length).sum();
            if (tokens > limits.maxContextTokens()) {
                throw new NbceException(ErrorCode.TOO_LARGE, tokens + " prompt tokens exceed this server's limit of "
                        + limits.maxContextTokens());
            }
            return plan.withAnswerRoom(limits.maxNewTokens());
        }
    }

    private static void logEnd(String requestId, GenerationResult result, Throwable failure, long startNanos) {
        long millis = (System.nanoTime() - startNanos) / 1_000_000;
        if (result != null) {
            LOG.info("event=end request={} finish={} windows={} prompt_tokens={} generated={} ms={}", requestId,
                    result.finishReason().wireName(), result.windows(), result.usage().promptTokens(),
                    result.usage().generatedTokens(), millis);
        } else {
            NbceException e = NbceException.of(failure);
            // A client error's message may quote the request (a field, a template's complaint): log its code only,
            // so request logs never hold prompt text.
            if (e.code().httpStatus() >= 500) {
                LOG.info("event=error request={} code={} ms={} message=\"{}\"", requestId, e.code().wireName(), millis,
                        e.getMessage());
            } else {
                LOG.info("event=error request={} code={} ms={}", requestId, e.code().wireName(), millis);
            }
        }
    }

    /** The result of a request cancelled while queued or being prepared: nothing generated. */
    private static GenerationResult cancelledBeforeStart() {
        return new GenerationResult("", new int[0], new int[0], FinishReason.CANCELLED, new Usage(new int[0], 0, 0),
                java.util.List.of());
    }
}
