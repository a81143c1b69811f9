package dev.nbce.worker.decoder;

import ai.djl.ndarray.NDArray;
import dev.nbce.worker.decoder.DecoderOptions.SmallProducts;

/** How the decoder computes {@code x [tokens, in] × weight [out, in]ᵀ + bias} (bias may be null). */
interface LinearKernel extends AutoCloseable {
    /** One PyTorch call, as on a GPU. */
    LinearKernel WHOLE = Ops::linear;
    /**
     * Only products of weights of at least this many elements (16 MB in F32) are shared with the other core: handing
     * half a product over costs 0.1–0.2 ms, more than a small weight's whole product (measured with {@code bench
     * --products}: q/k/v and o of the 0.5B shape, 0.8–1.0M elements, took 1.2–2.4× as long split; down, gate/up and
     * the head 0.46–0.93×).
     */
    long MIN_SHARED_WEIGHT_ELEMENTS = 4_000_000;

    NDArray apply(NDArray x, NDArray weight, NDArray bias);

    @Override
    default void close() {}

    /**
     * The kernel for small products on this device: PyTorch alone on a GPU (its ops are asynchronous there); on a
     * CPU the one asked for, each handing what it does not do best to the next: {@link SmallProducts#VECTOR} (1–3
     * tokens), {@link SmallProducts#SPLIT} (2–4 tokens, on two or more cores), {@link #WHOLE}. VECTOR is SPLIT
     * without the Vector API module, and also unless PyTorch's OpenMP threads sleep between ops
     * ({@code OMP_WAIT_POLICY=PASSIVE}, as bin/nbce sets it): spinning, they take the core the kernel's second half
     * needs, and a one-row step measured slower on the kernel than on PyTorch alone (docs/performance.md).
     */
    static LinearKernel forDevice(SmallProducts asked, boolean cpu) {
        if (!cpu || asked == SmallProducts.WHOLE) {
            return WHOLE;
        }
        SplitLinear split = SplitLinear.onTwoCores();
        LinearKernel splitOrWhole = split == null ? WHOLE : split;
        boolean vector = asked == SmallProducts.VECTOR && VectorLinear.available()
                && "passive".equalsIgnoreCase(System.getenv("OMP_WAIT_POLICY"));
        return vector ? new VectorLinear(splitOrWhole) : splitOrWhole;
    }
}
