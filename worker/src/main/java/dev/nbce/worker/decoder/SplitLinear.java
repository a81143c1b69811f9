package dev.nbce.worker.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.Future;

/**
 * Linear layers of a few tokens on a CPU, split in two halves of output features computed at once on two threads.
 * PyTorch's CPU matmul runs products of 2 to 8 tokens as if on one core ({@code bench --products}, docs/performance.md:
 * a 2-token head takes 2.7× a 1-token one, two halves at once 0.46–0.58 of one call), which leaves the other core idle
 * in exactly the small-batch decode steps: a request with one window (2 rows), a few rows left by window selection,
 * one row verifying drafts. Each output feature is the same dot product either way, and with the cut at a multiple of {@value #ALIGN} features MKL treats every
 * feature as in the whole product, so the result is bit for bit that of one call ({@code SplitLinearTest},
 * {@code bench --products}; the reference fixtures' logits and ids are unchanged).
 *
 * <p>Used by the engine thread only; the second half runs on a helper thread of its own ({@link HelperLane}). Weights
 * are split once, as views that live with the weights. {@link VectorLinear} hands it its products of 4 tokens, and
 * all of them where the JVM lacks the Vector API module.
 */
final class SplitLinear implements LinearKernel {
    /**
     * Products of 2 to this many tokens are split. Larger ones PyTorch already spreads over the cores; a one-token
     * product it runs on both cores itself (measured: splitting it made a 1-row step of the Qwen2.5-0.5B shape
     * slower, 132 ms whole against 152–166 ms split).
     */
    static final int MAX_TOKENS = 4;
    /**
     * The first half's width is a multiple of this, so the kernels' blocks of output features fall where they fall in
     * the whole product (a cut inside a block sends its last features down the remainder path, which rounds
     * differently).
     */
    static final long ALIGN = 64;

    private final Map<NDArray, Halves> halves = new IdentityHashMap<>();
    private final HelperLane lane = new HelperLane("nbce-split-linear");

    /** A weight's halves, and its bias's when it has one ({@code bias}: the whole bias they were cut from). */
    private record Halves(NDArray bias, NDArray first, NDArray second, NDArray firstBias, NDArray secondBias) {}

    private SplitLinear() {}

    /** A splitter where it helps, at least two cores; null otherwise (a CPU's: {@link LinearKernel#forDevice}). */
    static SplitLinear onTwoCores() {
        return Runtime.getRuntime().availableProcessors() >= 2 ? new SplitLinear() : null;
    }

    /** {@code x [tokens, in] × weight [out, in]ᵀ + bias}, split when it has 2 to {@link #MAX_TOKENS} tokens. */
    @Override
    public NDArray apply(NDArray x, NDArray weight, NDArray bias) {
        long tokens = x.getShape().get(0);
        if (tokens < 2 || tokens > MAX_TOKENS || weight.size() < MIN_SHARED_WEIGHT_ELEMENTS) {
            return Ops.linear(x, weight, bias);
        }
        return inHalves(x, weight, bias);
    }

    /** The product in two halves at once, whatever its size (for {@code ProductTiming} to compare at every size). */
    NDArray inHalves(NDArray x, NDArray weight, NDArray bias) {
        Halves h = halves.get(weight);
        if (h == null || h.bias() != bias) {
            h = split(weight, bias);
            halves.put(weight, h);
        }
        Halves cut = h;
        Future<NDArray> second = lane.submit(() -> Ops.linear(x, cut.second(), cut.secondBias()));
        NDArray first = Ops.linear(x, cut.first(), cut.firstBias());
        NDArray other = lane.join(second);
        try {
            return NDArrays.concat(new NDList(first, other), -1);
        } finally {
            other.close(); // made on the helper thread, outside every scope
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
        lane.close();
    }
}
