package dev.nbce.gateway.session;

import dev.nbce.common.nbce.NbceCombiner;
import dev.nbce.common.nbce.ShardReport;
import dev.nbce.common.nbce.TokenSampler;
import dev.nbce.common.nbce.StopStringMatcher;
import dev.nbce.common.request.GenerationRequest;
import dev.nbce.common.request.GenerationResult;
import dev.nbce.common.request.Usage;
import dev.nbce.common.wire.Advance;
import dev.nbce.common.wire.OpenRows;
import dev.nbce.common.wire.RowPrompt;
import dev.nbce.common.wire.ShardStep;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The per-request step loop (DESIGN.md §1–2): place rows, gather every worker's report, combine
 * centrally, choose a token, stream it, broadcast it, repeat. Rows lost with a worker are placed
 * again with their prompt plus the tokens generated so far. Runs on one Vert.x context; every
 * callback below happens there, so the fields need no locking.
 */
public final class GenerationSession {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(GenerationSession.class);
    /** How often a request may lose rows before it fails: each loss needs a surviving worker. */
    private static final int MAX_REPLACEMENTS = 8;
    private static final long CAPACITY_RETRY_MILLIS = 20;

    private final GenerationPlan plan;
    private final GenerationRequest request;
    private final RowExecutor executor;
    private final TextStream text;
    private final SessionListener listener;
    private final StopStringMatcher stopMatcher;
    private final SplittableRandom random;
    private final Promise<GenerationResult> result = Promise.promise();
    private final Vertx timers;
    private final Duration capacityWait;

    private final Map<String, List<Integer>> rowsByWorker = new LinkedHashMap<>();
    private final Set<String> failedWorkers = new HashSet<>();
    private final List<Integer> generated = new ArrayList<>();
    private final List<Integer> selectedWindows = new ArrayList<>();
    private final StringBuilder answer = new StringBuilder();
    private int step;
    private int previousChosenRow = -1;
    private int replacements;
    private boolean finished;

    /**
     * @param timers       schedules retries while the workers are full
     * @param capacityWait how long a request may wait for free rows before it fails with no_capacity
     */
    public GenerationSession(GenerationPlan plan, RowExecutor executor, TextStream text, SessionListener listener,
                             Vertx timers, Duration capacityWait) {
        this.timers = timers;
        this.capacityWait = capacityWait;
        this.plan = plan;
        this.request = plan.request();
        this.executor = executor;
        this.text = text;
        this.listener = listener;
        this.stopMatcher = new StopStringMatcher(request.stop());
        this.random = request.seed() == null ? new SplittableRandom() : new SplittableRandom(request.seed());
    }

    public String requestId() {
        return plan.requestId();
    }

    /** Starts generating; the future completes with the result, or fails with a {@link SessionException}. */
    public Future<GenerationResult> start() {
        List<RowPrompt> rows = new ArrayList<>();
        for (int row = 0; row < plan.rowCount(); row++) {
            rows.add(new RowPrompt(row, plan.rowTokenIds().get(row)));
        }
        placeWhenRoom(rows, System.nanoTime() + capacityWait.toNanos())
                .onComplete(reports -> onReports(reports.result(), reports.cause()));
        return result.future();
    }

    /**
     * Places rows as soon as the workers have room for them: a busy cluster makes requests wait
     * (bounded), it does not refuse them; a request larger than every worker together fails at once.
     */
    private Future<List<ShardReport>> placeWhenRoom(List<RowPrompt> rows, long deadlineNanos) {
        if (finished) {
            return Future.failedFuture(new SessionException("cancelled", "cancelled"));
        }
        List<RowExecutor.WorkerSlot> workers = executor.availableWorkers();
        try {
            return gather(openOn(RowPlacement.place(rows, workers, failedWorkers)));
        } catch (RowPlacement.NoCapacityException e) {
            int total = workers.stream().filter(w -> !failedWorkers.contains(w.workerId()))
                    .mapToInt(RowExecutor.WorkerSlot::capacityRows).sum();
            if (total < rows.size() || System.nanoTime() > deadlineNanos) {
                return Future.failedFuture(new SessionException(total == 0 ? "no_workers" : "no_capacity", e.getMessage()));
            }
            Promise<List<ShardReport>> later = Promise.promise();
            timers.setTimer(CAPACITY_RETRY_MILLIS, id -> placeWhenRoom(rows, deadlineNanos).onComplete(later));
            return later.future();
        }
    }

    /** Stops the request now and frees its rows on every worker. */
    public void cancel() {
        finish("cancelled");
    }

    /** One request to one worker this step, and the rows it covers. */
    private record Call(String worker, List<Integer> rows, boolean opening, Future<ShardStep> reply) {}

    private List<Call> openOn(Map<String, List<RowPrompt>> placement) {
        List<Call> calls = new ArrayList<>();
        NbceParamsView p = NbceParamsView.of(request);
        placement.forEach((worker, rows) -> {
            List<Integer> rowIds = rows.stream().map(RowPrompt::row).toList();
            rowsByWorker.computeIfAbsent(worker, w -> new ArrayList<>()).addAll(rowIds);
            calls.add(new Call(worker, rowIds, true, executor.open(worker,
                    new OpenRows(plan.requestId(), p.topP(), p.eta(), p.pooling(), previousChosenRow, step, rows))));
        });
        return calls;
    }

    /** Waits for every worker's report; rows whose worker fails are placed again. */
    private Future<List<ShardReport>> gather(List<Call> calls) {
        List<Future<List<ShardReport>>> parts = new ArrayList<>();
        for (Call call : calls) {
            parts.add(call.reply()
                    .map(stepReply -> List.of(stepReply.report()))
                    .recover(cause -> isFull(call, cause) ? placeElsewhere(call) : replaceRowsOf(call.worker(), cause)));
        }
        return Future.all(parts).map(all -> {
            List<ShardReport> reports = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                reports.addAll(all.<List<ShardReport>>resultAt(i));
            }
            return reports;
        });
    }

    /** The worker was full when our rows arrived (its announced capacity was stale): not a failure. */
    private static boolean isFull(Call call, Throwable cause) {
        return call.opening() && cause instanceof SessionException s && s.code().equals("capacity");
    }

    private Future<List<ShardReport>> placeElsewhere(Call call) {
        List<Integer> held = rowsByWorker.get(call.worker());
        if (held != null) {
            held.removeAll(call.rows());
            if (held.isEmpty()) {
                rowsByWorker.remove(call.worker());
            }
        }
        List<RowPrompt> rows = call.rows().stream().map(row -> new RowPrompt(row, tokensOf(row))).toList();
        return placeWhenRoom(rows, System.nanoTime() + capacityWait.toNanos());
    }

    private Future<List<ShardReport>> replaceRowsOf(String worker, Throwable cause) {
        if (finished) {
            return Future.failedFuture(cause);
        }
        if (cause instanceof SessionException rejected && !rejected.retryable()) {
            return Future.failedFuture(cause);
        }
        List<Integer> lost = rowsByWorker.remove(worker);
        failedWorkers.add(worker);
        executor.close(worker, plan.requestId());
        if (lost == null || lost.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        if (++replacements > MAX_REPLACEMENTS) {
            return Future.failedFuture(new SessionException("worker_failed",
                    "rows were lost " + MAX_REPLACEMENTS + " times; last cause: " + SessionException.describe(cause)));
        }
        LOG.warn("event=rows_replaced request={} step={} worker={} rows={} cause=\"{}\"", plan.requestId(), step, worker,
                lost.size(), SessionException.describe(cause));
        listener.onRowsReplaced(worker, lost.size(), cause);
        List<RowPrompt> rows = lost.stream().map(row -> new RowPrompt(row, tokensOf(row))).toList();
        return placeWhenRoom(rows, System.nanoTime() + capacityWait.toNanos()).recover(e -> Future.failedFuture(
                e instanceof SessionException s && (s.code().equals("no_workers") || s.code().equals("no_capacity"))
                        ? new SessionException("no_workers", "a worker failed (" + SessionException.describe(cause)
                                + ") and no other worker can take its " + lost.size() + " rows")
                        : e));
    }

    /** A row's prompt plus every token generated so far: what a replacement worker prefills. */
    private int[] tokensOf(int row) {
        int[] prompt = plan.rowTokenIds().get(row);
        int[] all = java.util.Arrays.copyOf(prompt, prompt.length + generated.size());
        for (int i = 0; i < generated.size(); i++) {
            all[prompt.length + i] = generated.get(i);
        }
        return all;
    }

    private void onReports(List<ShardReport> reports, Throwable failure) {
        if (finished) {
            return;
        }
        if (failure != null) {
            fail(failure instanceof SessionException s ? s
                    : new SessionException("internal", SessionException.describe(failure)));
            return;
        }
        try {
            step(reports);
        } catch (RuntimeException e) {
            // A bug here must end this request with an error, never leave its client waiting.
            LOG.error("request {} failed at step {}", plan.requestId(), step, e);
            fail(new SessionException("internal", "generation failed: " + SessionException.describe(e)));
        }
    }

    private void step(List<ShardReport> reports) {
        long t0 = System.nanoTime();
        NbceCombiner.Combination combination = NbceCombiner.combine(reports, request.nbce());
        int token = request.temperature() == 0
                ? TokenSampler.greedy(combination.finalScores())
                : TokenSampler.sample(combination.finalScores(), request.temperature(), request.topK(), random);
        int window = combination.chosenRow() - 1;
        listener.onStep(step, System.nanoTime() - t0);
        generated.add(token);
        selectedWindows.add(window);
        previousChosenRow = combination.chosenRow();

        String finishReason = emit(token, window);
        if (finishReason != null) {
            finish(finishReason);
            return;
        }
        step++;
        Advance advance = new Advance(plan.requestId(), step, token, previousChosenRow);
        List<Call> calls = new ArrayList<>();
        rowsByWorker.forEach((worker, rows) -> calls.add(new Call(worker, List.copyOf(rows), false,
                executor.advance(worker, advance))));
        gather(calls).onComplete(next -> onReports(next.result(), next.cause()));
    }

    /** Streams the token's text and says why generation ends here, or null to go on. */
    private String emit(int token, int window) {
        if (plan.eosIds().contains(token)) {
            flushText(window, token, text.finish());
            return "eos";
        }
        String delta = stopMatcher.feed(text.push(token));
        answer.append(delta);
        listener.onToken(new TokenEvent(delta, token, window));
        if (stopMatcher.stopped()) {
            return "stop";
        }
        if (generated.size() >= request.maxNewTokens()
                || plan.longestPrompt() + generated.size() >= plan.maxPositions()) {
            flushText(window, -1, text.finish());
            return "length";
        }
        return null;
    }

    /** Emits text still held back (a partial character, a possible stop-string prefix) at the end. */
    private void flushText(int window, int token, String tail) {
        String rest = stopMatcher.stopped() ? "" : stopMatcher.feed(tail) + stopMatcher.flush();
        if (!rest.isEmpty()) {
            answer.append(rest);
            listener.onToken(new TokenEvent(rest, token, window));
        }
    }

    private void finish(String reason) {
        if (finished) {
            return;
        }
        finished = true;
        rowsByWorker.keySet().forEach(worker -> executor.close(worker, plan.requestId()));
        int[] promptTokens = plan.rowTokenIds().stream().mapToInt(r -> r.length).toArray();
        Usage usage = new Usage(promptTokens, java.util.Arrays.stream(promptTokens).sum(), generated.size());
        result.tryComplete(new GenerationResult(answer.toString(), toArray(generated), toArray(selectedWindows),
                reason, usage, plan.windows().size()));
    }

    private void fail(SessionException cause) {
        if (finished) {
            return;
        }
        finished = true;
        rowsByWorker.keySet().forEach(worker -> executor.close(worker, plan.requestId()));
        result.tryFail(cause);
    }

    private static int[] toArray(List<Integer> values) {
        return values.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The parameters each worker needs to reduce its rows, read once from the request. */
    private record NbceParamsView(double topP, double eta, dev.nbce.common.request.Pooling pooling) {
        static NbceParamsView of(GenerationRequest r) {
            return new NbceParamsView(r.topP(), r.nbce().eta(), r.nbce().pooling());
        }
    }
}
