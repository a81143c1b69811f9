package dev.nbce.worker.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Linear layers of a few tokens on a CPU, split in two halves of output features computed at once on two threads.
 * PyTorch's CPU matmul runs products of 2 to 8 tokens on one core (measured here, docs/performance.md: a [4, 896] ×
 * [896, 4864] product takes as long on one thread as on two, and three times as long as a one-token product), which
 * leaves the other core idle in exactly the small-batch decode steps: a request with one window (2 rows), a few rows
 * left by window selection, one row verifying drafts. Each output feature
 * is the same dot product either way, and with halves of at least {@value #MIN_OUTPUTS} / 2 features MKL runs the same
 * kernel on them as on the whole, so the result is bit for bit that of one call ({@code SplitLinearTest}, and the
 * reference fixtures' logits and ids are unchanged).
 *
 * <p>Used by the engine thread only; the second half runs on a helper thread of its own, started on first use (a
 * decoder made by {@code withOptions} that is never closed keeps no thread). Weights are split once, as views that
 * live with the weights.
 */
final class SplitLinear implements AutoCloseable {
    /**
     * Products of 2 to this many tokens are split. Larger ones PyTorch already spreads over the cores; a one-token
     * product it runs on both cores itself (measured: splitting it made a 1-row step of the Qwen2.5-0.5B shape
     * slower, 132 ms whole against 152–166 ms split).
     */
    static final int MAX_TOKENS = 4;
    /**
     * Only weights with at least this many output features are split: a half a few columns wide may go to another
     * kernel (a dot product) that rounds differently, while wide halves run the same matrix kernel as the whole.
     */
    static final long MIN_OUTPUTS = 256;
    /**
     * The first half's width is a multiple of this, so the kernels' blocks of output features fall where they fall in
     * the whole product (a cut inside a block sends its last features down the remainder path, which rounds
     * differently).
     */
    private static final long ALIGN = 64;

    private final Map<NDArray, Halves> halves = new IdentityHashMap<>();
    private ExecutorService lane;

    /** A weight's halves, and its bias's when it has one ({@code bias}: the whole bias they were cut from). */
    private record Halves(NDArray bias, NDArray first, NDArray second, NDArray firstBias, NDArray secondBias) {}

    private SplitLinear() {}

    /** A splitter where it helps: a CPU with at least two cores; null otherwise (GPU ops are asynchronous anyway). */
    static SplitLinear forDevice(boolean cpu) {
        return cpu && Runtime.getRuntime().availableProcessors() >= 2 ? new SplitLinear() : null;
    }

    /** {@code x [tokens, in] × weight [out, in]ᵀ + bias}, split when {@code tokens <= MAX_TOKENS}. */
    NDArray apply(NDArray x, NDArray weight, NDArray bias) {
        long tokens = x.getShape().get(0);
        if (tokens < 2 || tokens > MAX_TOKENS || weight.getShape().get(0) < MIN_OUTPUTS) {
            return Ops.linear(x, weight, bias);
        }
        Halves h = halves.get(weight);
        if (h == null || h.bias() != bias) {
            h = split(weight, bias);
            halves.put(weight, h);
        }
        if (lane == null) {
            lane = Executors.newSingleThreadExecutor(task -> {
                Thread thread = new Thread(task, "nbce-split-linear");
                thread.setDaemon(true);
                return thread;
            });
        }
        Halves cut = h;
        Future<NDArray> second = lane.submit(() -> Ops.linear(x, cut.second(), cut.secondBias()));
        NDArray first = Ops.linear(x, cut.first(), cut.firstBias());
        NDArray other = join(second);
        try {
            return NDArrays.concat(new NDList(first, other), -1);
        } finally {
            other.close(); // made on the helper thread, outside every scope
        }
    }

    private static NDArray join(Future<NDArray> half) {
        try {
            return half.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted in a split linear", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /** Views of the weight's (and bias's) two parts by output feature, cut at a multiple of {@link #ALIGN}; they outlive every step. */
    private static Halves split(NDArray weight, NDArray bias) {
        long out = weight.getShape().get(0);
        long half = out / 2 / ALIGN * ALIGN;
        return new Halves(bias, view(weight, 0, half), view(weight, half, out), bias == null ? null : view(bias, 0, half),
                bias == null ? null : view(bias, half, out));
    }

    private static NDArray view(NDArray array, long from, long to) {
        NDArray view = array.get(new NDIndex().addSliceDim(from, to));
        NDScope.unregister(view);
        return view;
    }

    @Override
    public void close() {
        if (lane != null) {
            lane.shutdownNow();
        }
    }
}
