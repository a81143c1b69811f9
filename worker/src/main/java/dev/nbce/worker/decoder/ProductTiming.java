package dev.nbce.worker.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.nbce.worker.model.ModelConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code bench --products}: the decoder's linear layers alone on the CPU, [tokens, in] × [in, out] for a model's
 * shapes, as one PyTorch call, as two halves at once on two threads ({@link SplitLinear}) and by the Vector API
 * kernel ({@link VectorLinear}), best of several calls each; whether the halves equal the call bit for bit, and how
 * far the kernel's result is from it. This is what showed that PyTorch runs products of a few tokens on one core
 * (docs/performance.md, "Small batches").
 */
public final class ProductTiming {
    /**
     * One product's timings.
     *
     * @param name      the layer, e.g. {@code gate/up}
     * @param bitEqual  whether the halves' result equals the single call's bit for bit
     * @param vectorMillis     the Vector API kernel's time; NaN where the decoder would not use it (no module, or
     *                         {@code OMP_WAIT_POLICY} not PASSIVE: {@link LinearKernel#forDevice})
     * @param vectorDifference the kernel's largest difference from the single call, relative to that call's largest
     *                         magnitude (NaN where the time is)
     */
    public record Result(String name, long in, long out, int tokens, double wholeMillis, double halvesMillis,
                         boolean bitEqual, double vectorMillis, double vectorDifference) {
        /** Bytes of F32 weights read per product over the time of one call. */
        public double wholeGigabytesPerSecond() {
            return in * out * 4.0 / wholeMillis / 1e6;
        }

        public double halvesGigabytesPerSecond() {
            return in * out * 4.0 / halvesMillis / 1e6;
        }

        public double vectorGigabytesPerSecond() {
            return in * out * 4.0 / vectorMillis / 1e6;
        }
    }

    /** One linear layer's shape: {@code in} features to {@code out}. */
    record Layer(String name, long in, long out) {}

    private ProductTiming() {}

    /** The layers of a decoder of this shape, as the decoder packs them: q/k/v, o, gate/up, down and the head. */
    static List<Layer> layersOf(ModelConfig c) {
        long qkv = (c.heads() + 2L * c.kvHeads()) * c.headDim();
        return List.of(new Layer("q/k/v", c.hidden(), qkv), new Layer("o", (long) c.heads() * c.headDim(), c.hidden()),
                new Layer("gate/up", c.hidden(), 2L * c.intermediate()), new Layer("down", c.intermediate(), c.hidden()),
                new Layer("lm_head", c.hidden(), c.vocab()));
    }

    /** Times every layer at every token count, {@code calls} calls each after 3 untimed ones. */
    public static List<Result> measure(ModelConfig config, int[] tokenCounts, int calls) {
        List<Result> results = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager(); SplitLinear split = SplitLinear.onTwoCores();
             LinearKernel kernel = LinearKernel.forDevice(DecoderOptions.SmallProducts.VECTOR, true)) {
            if (split == null) {
                throw new IllegalStateException("splitting needs at least two cores");
            }
            VectorLinear vector = kernel instanceof VectorLinear v ? v : null;
            for (Layer layer : layersOf(config)) {
                long in = layer.in();
                long out = layer.out();
                NDArray weight = manager.randomNormal(new Shape(out, in)).mul(0.02f);
                for (int tokens : tokenCounts) {
                    NDArray x = manager.randomNormal(new Shape(tokens, in));
                    double whole = best(() -> Ops.linear(x, weight, null), calls);
                    double halves = best(() -> split.inHalves(x, weight, null), calls);
                    float[] reference = Ops.linear(x, weight, null).toFloatArray();
                    boolean equal = Arrays.equals(reference, split.inHalves(x, weight, null).toFloatArray());
                    double vectorMillis = vector == null ? Double.NaN : best(() -> vector.product(x, weight, null), calls);
                    double difference = vector == null ? Double.NaN
                            : relativeDifference(reference, vector.product(x, weight, null).toFloatArray());
                    results.add(new Result(layer.name(), in, out, tokens, whole, halves, equal, vectorMillis, difference));
                    x.close();
                }
                weight.close();
            }
        }
        return results;
    }

    /** The largest |a − b| over the largest |a|. */
    static double relativeDifference(float[] a, float[] b) {
        double scale = 0;
        double difference = 0;
        for (int i = 0; i < a.length; i++) {
            scale = Math.max(scale, Math.abs(a[i]));
            difference = Math.max(difference, Math.abs(a[i] - b[i]));
        }
        return scale == 0 ? difference : difference / scale;
    }

    private static double best(Supplier<NDArray> product, int calls) {
        for (int i = 0; i < 3; i++) {
            product.get().close();
        }
        double best = Double.MAX_VALUE;
        for (int i = 0; i < calls; i++) {
            long t0 = System.nanoTime();
            NDArray y = product.get();
            best = Math.min(best, (System.nanoTime() - t0) / 1e6);
            y.close();
        }
        return best;
    }
}
