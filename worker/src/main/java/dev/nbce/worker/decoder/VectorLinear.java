package dev.nbce.worker.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.Future;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Linear layers of a few tokens on a CPU, computed in Java with the Vector API straight from the weights' memory,
 * half of the output features on each core. PyTorch reads a one-token product's weights at about 20 GB/s and runs
 * products of 2 to 8 tokens on one core (docs/performance.md, "Small batches"). Here each weight row is read from
 * memory once per product and used for every token while it sits in the L1 cache: a one-token head of the 0.5B shape
 * streams at about 40 GB/s, and each further token costs a pass over the cached row.
 *
 * <p>Every token's dot product is the same sequence of operations whatever the token count, the other tokens and
 * where the features are cut between the cores: four vector accumulators over the input in blocks of four vectors,
 * the rest of the vectors into the first, the accumulators added pairwise, the lanes summed in order, then the
 * scalar tail and the bias. So a row's logits do not depend on which rows or drafts share its forward
 * ({@code VectorLinearTest}). They differ from PyTorch's in the last bits (another summation order), as PyTorch's
 * one-token and many-token kernels differ from each other.
 *
 * <p>Used by the engine thread only; the second half runs on a helper thread of its own ({@link HelperLane}).
 * Load this class only when {@link #available()}: without the incubator module it cannot link.
 */
final class VectorLinear implements LinearKernel {
    /**
     * Products of up to this many tokens run here. Each token costs a pass over the row (measured with {@code bench
     * --products}: the head of the 0.5B shape 13.6, 17.2 and 24.2 ms for 1 to 3 tokens against PyTorch's 26.6, 70.5
     * and 105.4); at 4 tokens the split is faster for down and gate/up (0.55 and 2.30 ms against 0.90 and 3.18). A
     * kernel sharing each weight load between four tokens measured slower than four passes in Java 17.
     */
    static final int MAX_TOKENS = 3;
    private static final VectorSpecies<Float> LANES = FloatVector.SPECIES_PREFERRED;
    private static final int BLOCK = 4 * LANES.length();

    private final Map<NDArray, ByteBuffer> weightMemory = new IdentityHashMap<>();
    private final Map<NDArray, float[]> biasValues = new IdentityHashMap<>();
    private final HelperLane lane = new HelperLane("nbce-vector-linear");
    /** What runs the products this kernel does not. */
    private final LinearKernel otherwise;

    VectorLinear(LinearKernel otherwise) {
        this.otherwise = otherwise;
    }

    /** Whether the JVM was started with {@code --add-modules jdk.incubator.vector}. */
    static boolean available() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    @Override
    public NDArray apply(NDArray x, NDArray weight, NDArray bias) {
        long tokens = x.getShape().get(0);
        if (tokens > MAX_TOKENS || weight.size() < MIN_SHARED_WEIGHT_ELEMENTS || !readable(weight)) {
            return otherwise.apply(x, weight, bias);
        }
        return product(x, weight, bias);
    }

    /** The product here, whatever its size (for {@code ProductTiming} to compare at every size). */
    NDArray product(NDArray x, NDArray weight, NDArray bias) {
        int tokens = Math.toIntExact(x.getShape().get(0));
        int in = Math.toIntExact(weight.getShape().get(1));
        int out = Math.toIntExact(weight.getShape().get(0));
        ByteBuffer w = weightMemory.computeIfAbsent(weight, VectorLinear::memoryOf);
        float[] b = bias == null ? null : biasValues.computeIfAbsent(bias, NDArray::toFloatArray);
        float[] input = x.toFloatArray();
        float[] y = new float[tokens * out];
        int cut = out / 2;
        Future<?> second = lane.submit(() -> rows(w, in, input, tokens, b, y, out, cut, out));
        rows(w, in, input, tokens, b, y, out, 0, cut);
        lane.join(second);
        return x.getManager().create(y, new Shape(tokens, out));
    }

    /**
     * Whether the weight's memory can be read here: 2-D F32 on the CPU, within a ByteBuffer's 2 GB. The decoder's
     * weights are contiguous (loaded, or concatenated at load); DJL would hand a strided one over as a contiguous copy.
     */
    static boolean readable(NDArray weight) {
        return weight instanceof PtNDArray && weight.getDataType() == DataType.FLOAT32 && !weight.getDevice().isGpu()
                && weight.getShape().dimension() == 2 && weight.size() * 4 <= Integer.MAX_VALUE;
    }

    /** The weight's own memory, not a copy (it lives as long as the weight; the decoder's weights outlive it). */
    private static ByteBuffer memoryOf(NDArray weight) {
        ByteBuffer memory = ((PtNDArray) weight).toByteBuffer(true);
        if (!memory.isDirect()) {
            throw new IllegalStateException("PyTorch returned a copy of the weight instead of its memory");
        }
        return memory.order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * {@code y[t, o] = weight[o] · x[t] + bias[o]} for features {@code from ≤ o < to} and every token {@code t}:
     * {@code weight} is [out, in] in row-major F32, {@code x} [tokens, in], {@code y} [tokens, out].
     */
    static void rows(ByteBuffer weight, int in, float[] x, int tokens, float[] bias, float[] y, int out, int from, int to) {
        float[] lanes = new float[LANES.length()];
        for (int o = from; o < to; o++) {
            int row = o * in * Float.BYTES;
            for (int t = 0; t < tokens; t++) {
                float dot = dot(weight, row, x, t * in, in, lanes);
                y[t * out + o] = bias == null ? dot : dot + bias[o];
            }
        }
    }

    /** One weight row (from byte {@code row}) · {@code x[from, from + in)}, in the fixed order the class comment gives. */
    private static float dot(ByteBuffer weight, int row, float[] x, int from, int in, float[] lanes) {
        FloatVector a0 = FloatVector.zero(LANES);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        int step = LANES.length();
        int i = 0;
        for (; i + BLOCK <= in; i += BLOCK) {
            a0 = load(weight, row, i).fma(FloatVector.fromArray(LANES, x, from + i), a0);
            a1 = load(weight, row, i + step).fma(FloatVector.fromArray(LANES, x, from + i + step), a1);
            a2 = load(weight, row, i + 2 * step).fma(FloatVector.fromArray(LANES, x, from + i + 2 * step), a2);
            a3 = load(weight, row, i + 3 * step).fma(FloatVector.fromArray(LANES, x, from + i + 3 * step), a3);
        }
        for (; i + step <= in; i += step) {
            a0 = load(weight, row, i).fma(FloatVector.fromArray(LANES, x, from + i), a0);
        }
        return finish(a0, a1, a2, a3, weight, row, x, from, i, in, lanes);
    }

    /** The accumulators added pairwise, their lanes summed in order, then the scalar tail from {@code i}. */
    private static float finish(FloatVector a0, FloatVector a1, FloatVector a2, FloatVector a3, ByteBuffer weight,
                                int row, float[] x, int from, int i, int in, float[] lanes) {
        // Summed lane by lane in Java, not with reduceLanes, whose order is unspecified and may change once compiled.
        a0.add(a1).add(a2.add(a3)).intoArray(lanes, 0);
        float sum = 0;
        for (float lane : lanes) {
            sum += lane;
        }
        for (; i < in; i++) {
            sum = Math.fma(weight.getFloat(row + i * Float.BYTES), x[from + i], sum);
        }
        return sum;
    }

    private static FloatVector load(ByteBuffer weight, int row, int i) {
        return FloatVector.fromByteBuffer(LANES, weight, row + i * Float.BYTES, ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void close() {
        lane.close();
        otherwise.close();
    }
}
