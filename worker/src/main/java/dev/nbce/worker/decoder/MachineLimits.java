package dev.nbce.worker.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.nbce.worker.model.ComputeDevice;

/**
 * This machine's limits as the decoder's engine reaches them, measured in the caller's run: the
 * matmul rate of one {@code [m, k] x [k, n]} linear (the kernel every projection uses) and the
 * streaming read bandwidth of summing one large tensor, both in the compute dtype, each the best of
 * a few timed repeats inside a time budget. {@link StepCost} turns them into a step's lower bound.
 *
 * @param matmulGflops multiply-adds x 2 per second, in 1e9
 * @param streamGbps bytes read per second, in 1e9
 * @param matmulShape the measured product, e.g. {@code [256,896]x[896,4864]}
 * @param streamBytes the size of the summed tensor
 * @param dtype the compute dtype both ran in
 */
public record MachineLimits(double matmulGflops, double streamGbps, String matmulShape, long streamBytes, String dtype) {

    public MachineLimits {
        if (!(matmulGflops > 0) || !(streamGbps > 0)) {
            throw new IllegalArgumentException("limits must be positive, got " + matmulGflops + " GFLOP/s, " + streamGbps + " GB/s");
        }
    }

    /** The sizes to measure with: the projection shape of the bench's model and a tensor well past every cache. */
    public record Sizes(int m, int k, int n, long streamBytes, int repeats, long budgetNanos) {
        /** [256, 896] x [896, 4864] (Qwen2.5-0.5B's MLP up projection on 256 tokens) and 1 GiB, best of 20 within 5 s each. */
        public static final Sizes DEFAULT = new Sizes(256, 896, 4864, 1L << 30, 20, 5_000_000_000L);

        public Sizes {
            if (m < 1 || k < 1 || n < 1 || streamBytes < 4 || repeats < 1 || budgetNanos < 1) {
                throw new IllegalArgumentException("bad limit sizes " + m + "x" + k + "x" + n + ", " + streamBytes + " bytes");
            }
        }

        public Sizes withStreamBytes(long bytes) {
            return new Sizes(m, k, n, bytes, repeats, budgetNanos);
        }
    }

    /** Measures both limits on {@code device} (allocates about {@code streamBytes} plus the matmul operands, freed on return). */
    public static MachineLimits measure(ComputeDevice device, Sizes sizes) {
        try (NDManager manager = NDManager.newBaseManager(device.device(), ComputeDevice.ENGINE)) {
            double gflops = matmulGflops(manager, device.dtype(), sizes);
            double gbps = streamGbps(manager, device.dtype(), sizes);
            return new MachineLimits(gflops, gbps, "[" + sizes.m() + "," + sizes.k() + "]x[" + sizes.k() + "," + sizes.n() + "]",
                    sizes.streamBytes(), device.dtype().name());
        }
    }

    private static double matmulGflops(NDManager manager, DataType dtype, Sizes s) {
        // BF16/F16 arrays are made by casting F32 ones on the device (see ComputeDevice).
        NDArray x = manager.randomNormal(new Shape(s.m(), s.k())).toType(dtype, false);
        NDArray w = manager.randomNormal(new Shape(s.n(), s.k())).toType(dtype, false);
        double flops = 2.0 * s.m() * s.k() * s.n();
        long best = bestOf(s, () -> {
            // [m, k] x [n, k]^T -> [m, n], as Ops.linear; reading one value waits for a GPU to finish.
            try (NDArray y = Ops.linear(x, w, null); NDArray first = y.get(0, 0).toType(DataType.FLOAT32, false)) {
                first.getFloat();
            }
        });
        x.close();
        w.close();
        return flops / best;
    }

    private static double streamGbps(NDManager manager, DataType dtype, Sizes s) {
        long elements = s.streamBytes() / dtype.getNumOfBytes();
        // ones, not zeros: every page is written once before the timing, so none is mapped lazily inside it.
        try (NDArray big = manager.ones(new Shape(elements), DataType.FLOAT32).toType(dtype, false)) {
            long bytes = elements * dtype.getNumOfBytes();
            long best = bestOf(s, () -> {
                try (NDArray sum = big.sum(); NDArray f = sum.toType(DataType.FLOAT32, false)) {
                    f.getFloat();
                }
            });
            return (double) bytes / best;
        }
    }

    /** One untimed warm-up, then the fastest of up to {@code repeats} runs (at least two) within the budget: nanoseconds. */
    private static long bestOf(Sizes s, Runnable work) {
        work.run();
        long best = Long.MAX_VALUE;
        long start = System.nanoTime();
        for (int i = 0; i < s.repeats() && (i < 2 || System.nanoTime() - start < s.budgetNanos()); i++) {
            long t0 = System.nanoTime();
            work.run();
            best = Math.min(best, System.nanoTime() - t0);
        }
        return Math.max(best, 1);
    }
}
