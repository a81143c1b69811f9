package dev.nbce.gateway.session;

import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;
import dev.nbce.common.step.LogitRules;
import dev.nbce.common.step.StepParams;
import dev.nbce.common.wire.Advance;
import dev.nbce.common.wire.OpenRows;
import dev.nbce.common.wire.RowPrompt;
import dev.nbce.common.wire.ShardStep;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a request's rows live and how each step's reports are gathered from them. Rows are placed
 * as soon as the workers have room (a busy cluster makes a request wait, bounded; it does not
 * refuse it). A worker that fails loses its rows to the others, which prefill them with their
 * prompt plus the tokens generated so far, so the step completes as if nothing had happened.
 *
 * <p>Every placement of a row starts a new epoch for it, and a step counts a report only when all its
 * rows are still at the epoch the report was asked for: rows moved after their report came in (their
 * worker failed a second call of the same step) report again from their new worker, and the first
 * report is dropped, never counted twice. Used on the session's context only.
 */
final class RowPlacer {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RowPlacer.class);
    /** How often a request may lose rows before it fails: each loss needs a surviving worker. */
    private static final int MAX_REPLACEMENTS = 8;
    private static final long CAPACITY_RETRY_MILLIS = 20;

    private final GenerationPlan plan;
    private final StepParams params;
    private final LogitRules rules;
    private final Transcript transcript;
    private final RowExecutor executor;
    private final SessionClock clock;
    private final Duration capacityWait;
    private final SessionListener listener;

    private final Map<String, List<Integer>> rowsByWorker = new LinkedHashMap<>();
    /** The placement epoch of each row: incremented whenever the row is (re)opened somewhere. */
    private final Map<Integer, Integer> rowEpochs = new HashMap<>();
    private int lastEpoch;
    /** Workers that failed this request's rows (in that order): never offered them again. */
    private final Set<String> failedWorkers = new LinkedHashSet<>();
    private int replacements;
    private boolean closed;

    /** @param transcript what the rows have generated so far, read when rows are placed again */
    RowPlacer(GenerationPlan plan, Transcript transcript, RowExecutor executor, SessionClock clock,
              Duration capacityWait, SessionListener listener) {
        this.plan = plan;
        this.params = plan.request().stepParams();
        this.rules = plan.logitRules();
        this.transcript = transcript;
        this.executor = executor;
        this.clock = clock;
        this.capacityWait = capacityWait;
        this.listener = listener;
    }

    /** Places the rows (row 0 first) with their prompts; completes with the reports for step 0. */
    Future<StepReports> openAll(List<Integer> rowsToOpen) {
        List<RowPrompt> rows = new ArrayList<>();
        for (int row : rowsToOpen) {
            rows.add(new RowPrompt(row, plan.rowTokenIds().get(row)));
        }
        return current(placeWhenRoom(rows, deadline()));
    }

    /**
     * Every row appends the token chosen at the last step; completes with the reports for the next one. Rows in
     * {@code drop} are closed on their workers first (within this step: they ride on the Advance, or a worker left
     * without rows of the request gets a close and is no longer waited for). {@code keptDrafts} of the last step's
     * drafts were accepted (the transcript holds them); {@code drafts} are fed after the token and reported too.
     */
    Future<StepReports> advance(int token, int chosenRow, List<Integer> drop, int keptDrafts, int[] drafts) {
        List<Call> calls = new ArrayList<>();
        for (var it = rowsByWorker.entrySet().iterator(); it.hasNext(); ) {
            var held = it.next();
            String worker = held.getKey();
            List<Integer> rows = held.getValue();
            int[] dropped = rows.stream().filter(drop::contains).mapToInt(Integer::intValue).toArray();
            rows.removeIf(drop::contains);
            if (rows.isEmpty()) {
                it.remove();
                executor.close(worker, plan.requestId());
                continue;
            }
            Advance advance = new Advance(plan.requestId(), transcript.size(), token, chosenRow, dropped, keptDrafts,
                    drafts);
            calls.add(new Call(worker, List.copyOf(rows), epochsOf(rows), false, executor.advance(worker, advance)));
        }
        listener.onDecode(rowsByWorker.values().stream().mapToInt(List::size).sum());
        return current(gather(calls));
    }

    /** The request's rows placed now, over every worker. */
    int placedRows() {
        return rowsByWorker.values().stream().mapToInt(List::size).sum();
    }

    /** Frees the rows on every worker; nothing is placed after this. */
    void closeAll() {
        closed = true;
        rowsByWorker.keySet().forEach(worker -> executor.close(worker, plan.requestId()));
    }

    /** One request to one worker this step, the rows it covers and their placement epochs when it was sent. */
    private record Call(String worker, List<Integer> rows, List<Integer> epochs, boolean opening, Future<ShardStep> reply) {}

    /** A report with the rows and epochs it answers for. */
    private record Report(ShardStep reply, List<Integer> rows, List<Integer> epochs) {}

    private List<Integer> epochsOf(List<Integer> rows) {
        return rows.stream().map(rowEpochs::get).toList();
    }

    /** The step's reports whose rows have not been placed again since (see the class comment). */
    private Future<StepReports> current(Future<List<Report>> reports) {
        return reports.map(all -> new StepReports(all.stream().filter(r -> epochsOf(r.rows()).equals(r.epochs()))
                .map(Report::reply).toList()));
    }

    private Future<List<Report>> placeWhenRoom(List<RowPrompt> rows, long deadlineNanos) {
        Promise<List<Report>> placed = Promise.promise();
        tryToPlace(rows, deadlineNanos, placed, false);
        return placed.future();
    }

    /**
     * One attempt; a retry completes the same promise, so a long wait is not a chain of thousands of
     * futures that would complete recursively (and overflow the stack) at the end.
     */
    private void tryToPlace(List<RowPrompt> rows, long deadlineNanos, Promise<List<Report>> placed, boolean waiting) {
        if (closed) {
            stopWaiting(waiting);
            placed.tryFail(new NbceException(ErrorCode.INTERNAL, "the request has ended"));
            return;
        }
        List<RowExecutor.WorkerSlot> workers = executor.availableWorkers();
        int[] needs = rows.stream().mapToInt(this::reservedTokens).toArray();
        Map<String, List<RowPrompt>> placement;
        try {
            placement = RowPlacement.place(rows, needs, workers, failedWorkers);
        } catch (RowPlacement.NoCapacityException e) {
            int total = workers.stream().filter(w -> !failedWorkers.contains(w.workerId()))
                    .mapToInt(RowExecutor.WorkerSlot::capacityRows).sum();
            if (total < rows.size() || clock.nanoTime() > deadlineNanos) {
                // A request larger than every worker together fails at once.
                stopWaiting(waiting);
                placed.tryFail(new NbceException(total == 0 ? ErrorCode.NO_WORKERS : ErrorCode.NO_CAPACITY, e.getMessage()));
            } else if (!RowPlacement.fitsWhenEmpty(rows, needs, workers, failedWorkers)) {
                // Its KV tokens exceed what the workers hold even empty: waiting cannot help.
                stopWaiting(waiting);
                placed.tryFail(new NbceException(ErrorCode.TOO_LARGE, "the request's " + rows.size() + " rows need "
                        + java.util.Arrays.stream(needs).asLongStream().sum() + " KV tokens (prompt + answer budget each),"
                        + " more than the workers hold when empty; use fewer or shorter windows or a smaller answer budget"));
            } else {
                if (!waiting) {
                    listener.onCapacityWait(true);
                }
                clock.schedule(CAPACITY_RETRY_MILLIS, () -> tryToPlace(rows, deadlineNanos, placed, true));
            }
            return;
        }
        stopWaiting(waiting);
        gather(openOn(placement, workers)).onComplete(placed);
    }

    /** Waiting for room is what autoscalers watch (nbce_requests_waiting): each start has one stop. */
    private void stopWaiting(boolean waiting) {
        if (waiting) {
            listener.onCapacityWait(false);
        }
    }

    private List<Call> openOn(Map<String, List<RowPrompt>> placement, List<RowExecutor.WorkerSlot> workers) {
        List<Call> calls = new ArrayList<>();
        tellPlaced(placement, workers);
        String traceparent = listener.traceparent();
        placement.forEach((worker, rows) -> {
            List<Integer> rowIds = rows.stream().map(RowPrompt::row).toList();
            rowsByWorker.computeIfAbsent(worker, w -> new ArrayList<>()).addAll(rowIds);
            int epoch = ++lastEpoch;
            rowIds.forEach(row -> rowEpochs.put(row, epoch));
            OpenRows open = new OpenRows(plan.requestId(), params, transcript.previousChosenRow(), transcript.size(), rows,
                    answerTokensLeft(), traceparent == null ? "" : traceparent, rules);
            calls.add(new Call(worker, rowIds, epochsOf(rowIds), true, executor.open(worker, open)));
        });
        return calls;
    }

    /** Tells the listener where the rows went and how many of them found a prefix cached where they went. */
    private void tellPlaced(Map<String, List<RowPrompt>> placement, List<RowExecutor.WorkerSlot> workers) {
        Map<String, List<Integer>> placed = new LinkedHashMap<>();
        int cachedPrefixRows = 0;
        for (RowExecutor.WorkerSlot slot : workers) {
            List<RowPrompt> rows = placement.get(slot.workerId());
            if (rows != null) {
                placed.put(slot.workerId(), rows.stream().map(RowPrompt::row).toList());
                cachedPrefixRows += (int) rows.stream().filter(r -> slot.prefixes().cachedBlocks(r.tokenIds()) > 0).count();
            }
        }
        listener.onPlaced(placed, cachedPrefixRows);
    }

    /** Waits for every worker's report; rows whose worker fails are placed again. */
    private Future<List<Report>> gather(List<Call> calls) {
        List<Future<List<Report>>> parts = new ArrayList<>();
        for (Call call : calls) {
            parts.add(call.reply()
                    .map(stepReply -> {
                        if (call.opening()) {
                            listener.onPrefill(call.rows().size(), prefillTokens(call.rows()));
                        }
                        return List.of(new Report(stepReply, call.rows(), call.epochs()));
                    })
                    .recover(cause -> isFull(call, cause) ? placeElsewhere(call) : replaceRowsOf(call.worker(), cause)));
        }
        return Future.all(parts).map(all -> {
            List<Report> reports = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                reports.addAll(all.<List<Report>>resultAt(i));
            }
            return reports;
        });
    }

    /** Tokens an open of these rows prefilled: each row's prompt and what was generated before it was (re)placed. */
    private int prefillTokens(List<Integer> rows) {
        return rows.stream().mapToInt(row -> plan.rowTokenIds().get(row).length).sum() + rows.size() * transcript.size();
    }

    /** The worker was full when our rows arrived (its announced capacity was stale): not a failure. */
    private static boolean isFull(Call call, Throwable cause) {
        return call.opening() && NbceException.of(cause).code() == ErrorCode.CAPACITY;
    }

    private Future<List<Report>> placeElsewhere(Call call) {
        List<Integer> held = rowsByWorker.get(call.worker());
        if (held != null) {
            held.removeAll(call.rows());
            if (held.isEmpty()) {
                rowsByWorker.remove(call.worker());
            }
        }
        return placeWhenRoom(promptsSoFar(call.rows()), deadline());
    }

    private Future<List<Report>> replaceRowsOf(String worker, Throwable cause) {
        NbceException failure = NbceException.of(cause);
        if (closed || !failure.code().retryable()) {
            return Future.failedFuture(failure);
        }
        List<Integer> lost = rowsByWorker.remove(worker);
        failedWorkers.add(worker);
        executor.close(worker, plan.requestId());
        if (lost == null || lost.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        if (++replacements > MAX_REPLACEMENTS) {
            return Future.failedFuture(new NbceException(ErrorCode.WORKER_FAILED,
                    "rows were lost " + MAX_REPLACEMENTS + " times; last cause: " + failure.getMessage()));
        }
        LOG.warn("event=rows_replaced request={} step={} worker={} rows={} cause=\"{}\"", plan.requestId(),
                transcript.size(), worker, lost.size(), failure.getMessage());
        listener.onRowsReplaced(worker, lost.size(), cause);
        return placeWhenRoom(promptsSoFar(lost), deadline()).recover(e -> {
            ErrorCode code = NbceException.of(e).code();
            if (code != ErrorCode.NO_WORKERS && code != ErrorCode.NO_CAPACITY && code != ErrorCode.TOO_LARGE) {
                return Future.failedFuture(e);
            }
            // Workers that are up but each failed these rows (e.g. out of memory for them): not no_workers.
            return Future.failedFuture(failedEveryWorker()
                    ? new NbceException(ErrorCode.WORKER_FAILED, "the request's rows failed on every worker ("
                            + String.join(", ", failedWorkers) + "); last: " + failure.getMessage())
                    : new NbceException(ErrorCode.NO_WORKERS, "a worker failed (" + failure.getMessage()
                            + ") and no other worker can take its " + lost.size() + " rows"));
        });
    }

    /** Whether the cluster has serving workers (not draining) and every one of them has failed this request's rows. */
    private boolean failedEveryWorker() {
        List<RowExecutor.WorkerSlot> serving = executor.availableWorkers().stream().filter(w -> w.capacityRows() > 0).toList();
        return !serving.isEmpty() && serving.stream().allMatch(w -> failedWorkers.contains(w.workerId()));
    }

    /** Tokens the request may still generate; each row reserves them beside what it holds. */
    private int answerTokensLeft() {
        return Math.max(0, plan.request().maxNewTokens() - transcript.size());
    }

    private int reservedTokens(RowPrompt row) {
        return OpenRows.reservedTokens(row.tokenIds().length, answerTokensLeft(), plan.maxPositions());
    }

    private List<RowPrompt> promptsSoFar(List<Integer> rows) {
        return rows.stream().map(row -> new RowPrompt(row, transcript.appendedTo(plan.rowTokenIds().get(row)))).toList();
    }

    private long deadline() {
        return clock.nanoTime() + capacityWait.toNanos();
    }
}
