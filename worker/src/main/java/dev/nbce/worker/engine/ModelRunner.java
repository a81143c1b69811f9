package dev.nbce.worker.engine;

import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;
import dev.nbce.common.nbce.PositionReport;
import dev.nbce.common.nbce.ShardReducer;
import dev.nbce.common.wire.ShardStep;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Runs what the {@link Scheduler} chose through the model and answers the callers (vLLM's executor and
 * output processing). A forward that runs out of memory is tried again smaller ({@link BatchRetry}), so
 * only a request that does not fit even alone fails, and the others go on in the same loop; any other
 * failed forward leaves caches half-written, so its requests' rows are dropped and the gateway
 * re-places them.
 *
 * <p>Engine thread only (the count may be read from any thread).
 */
final class ModelRunner {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ModelRunner.class);

    private final BatchRetry batches;
    private final String name;
    private final Requests requests;
    private final Scheduler scheduler;

    /** @param name names the engine in errors */
    ModelRunner(BatchRetry.Forward forward, EngineLimits limits, RowEngine.ForwardObserver observer, String name,
                Requests requests, Scheduler scheduler) {
        this.batches = new BatchRetry(observed(forward, observer), limits);
        this.name = name;
        this.requests = requests;
        this.scheduler = scheduler;
    }

    /** Forwards that ran out of memory since start (any thread). */
    long outOfMemoryForwards() {
        return batches.outOfMemoryForwards();
    }

    /**
     * One forward over every decoding row (split only when it would exceed the batch budget, or to
     * isolate a request that runs out of memory); each request's report answers its caller.
     */
    void decode(List<Pending> pending) {
        List<BatchRetry.Item> items = new ArrayList<>();
        for (Pending p : pending) {
            for (int i = 0; i < p.positions().size(); i++) {
                items.add(new BatchRetry.Item(p.requestId(), p.shard().caches().get(p.positions().get(i)),
                        p.tokens().get(i), false, 1 + p.drafted()));
            }
        }
        BatchRetry.Outcome outcome;
        try {
            outcome = batches.run(items);
        } catch (RuntimeException e) {
            for (Pending p : pending) {
                requests.close(p.requestId());
                p.reply().completeExceptionally(new NbceException(ErrorCode.INTERNAL, name + ": forward pass failed: " + e.getMessage()));
            }
            return;
        }
        int offset = 0;
        for (Pending p : pending) {
            int n = p.positions().size();
            RuntimeException oom = outcome.failed().get(p.requestId());
            if (oom != null) {
                p.reply().completeExceptionally(OutOfMemory.requestFailed(name, p.requestId(), oom));
                requests.close(p.requestId());
            } else {
                report(p, Arrays.copyOfRange(outcome.logits(), offset, offset + n));
            }
            offset += n;
        }
    }

    /**
     * One forward over this loop's prefill slices (a slice that runs out of memory may go in shortened);
     * false when the forward failed and the slices' requests were dropped.
     */
    boolean prefill(List<Scheduler.Slice> slices) {
        List<BatchRetry.Item> items = slices.stream().map(slice -> new BatchRetry.Item(slice.job().requestId(),
                slice.job().pending.shard().caches().get(slice.job().pending.positions().get(slice.row())),
                slice.tokens(), true)).toList();
        Set<Prefill> fedJobs = new LinkedHashSet<>();
        slices.forEach(slice -> fedJobs.add(slice.job()));
        BatchRetry.Outcome outcome;
        try {
            outcome = batches.run(items);
        } catch (RuntimeException e) {
            for (Prefill job : fedJobs) {
                scheduler.remove(job);
                requests.close(job.requestId());
                job.pending.reply().completeExceptionally(
                        new NbceException(ErrorCode.INTERNAL, name + ": prefill failed: " + e.getMessage()));
            }
            return false;
        }
        // Before anything is reported or stored: a request that ran out of memory leaves with its rows.
        for (Prefill job : fedJobs) {
            RuntimeException oom = outcome.failed().get(job.requestId());
            if (oom != null) {
                job.pending.reply().completeExceptionally(OutOfMemory.requestFailed(name, job.requestId(), oom));
            }
        }
        outcome.failed().keySet().forEach(requests::close);
        for (int k = 0; k < slices.size(); k++) {
            Scheduler.Slice slice = slices.get(k);
            if (!outcome.failed().containsKey(slice.job().requestId())) {
                slice.job().fed(slice.row(), outcome.fed()[k], outcome.logits()[k][0]);
            }
        }
        return true;
    }

    /** Checks and reduces one shard's new last-position logits and answers its caller. */
    void report(Pending p, float[][] rowsLogits) {
        float[][][] positions = new float[rowsLogits.length][][];
        for (int r = 0; r < positions.length; r++) {
            positions[r] = new float[][] {rowsLogits[r]};
        }
        report(p, positions);
    }

    /**
     * Checks and reduces one shard's logits and answers its caller: {@code rowsPositions[row][j]} are a row's logits
     * at the step's position and, after it, at each drafted position.
     */
    void report(Pending p, float[][][] rowsPositions) {
        int[] rowIndices = p.shard().rowIndices(p.positions());
        String nonFinite = null;
        for (int j = 0; j < 1 + p.drafted() && nonFinite == null; j++) {
            nonFinite = LogitsCheck.describe(at(rowsPositions, j), rowIndices);
        }
        if (nonFinite != null) {
            // Never answer from a corrupt distribution; the rows' caches are suspect too.
            LOG.error("{}: request {} step {}: {}", name, p.requestId(), p.shard().step(), nonFinite);
            requests.close(p.requestId());
            p.reply().completeExceptionally(new NbceException(ErrorCode.INTERNAL, name + ": " + nonFinite
                    + " of request " + p.requestId() + " at step " + p.shard().step()));
            return;
        }
        try {
            var report = ShardReducer.reduce(rowIndices, at(rowsPositions, 0), p.shard().params(),
                    p.shard().previousChosenRow(), p.shard().rules().mask());
            List<PositionReport> drafted = new ArrayList<>(p.drafted());
            for (int j = 1; j <= p.drafted(); j++) {
                drafted.add(ShardReducer.reducePosition(rowIndices, at(rowsPositions, j), p.shard().params(),
                        p.shard().rules().mask()));
            }
            p.reply().complete(new ShardStep(p.requestId(), p.shard().step(), report, drafted));
        } catch (RuntimeException e) {
            p.reply().completeExceptionally(new NbceException(ErrorCode.INTERNAL, name + ": reduce failed: " + e.getMessage()));
        }
    }

    /** Every row's logits at position {@code j} of the step. */
    private static float[][] at(float[][][] rowsPositions, int j) {
        float[][] rows = new float[rowsPositions.length][];
        for (int r = 0; r < rows.length; r++) {
            rows[r] = rowsPositions[r][j];
        }
        return rows;
    }

    /** The forward, timed for the observer (only passes that succeed are observed). */
    private static BatchRetry.Forward observed(BatchRetry.Forward forward, RowEngine.ForwardObserver observer) {
        return (rows, tokens, tails) -> {
            long t0 = System.nanoTime();
            float[][] out = forward.forward(rows, tokens, tails);
            observer.onForward(rows.size(), tokens.stream().mapToInt(t -> t.length).sum(), System.nanoTime() - t0);
            return out;
        };
    }
}
