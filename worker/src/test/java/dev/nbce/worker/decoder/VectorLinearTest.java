package dev.nbce.worker.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.nbce.worker.decoder.DecoderOptions.SmallProducts;
import dev.nbce.worker.model.Architecture;
import dev.nbce.worker.model.DeviceSpec;
import dev.nbce.worker.model.ModelConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Vector API kernel: right to float rounding against a dot product in doubles, and, what the decoder's exactness
 * leans on, each token's result the same bit for bit whatever shares its product, wherever the features are cut
 * between the cores, and before and after the JIT compiles the kernel. Surefire starts the JVM with the module.
 */
class VectorLinearTest {
    @Test
    void theModuleIsThereAndTheDecoderUsesTheKernel() {
        assertTrue(VectorLinear.available(), "surefire's argLine adds jdk.incubator.vector");
        assertEquals("PASSIVE", System.getenv("OMP_WAIT_POLICY"), "surefire sets it as bin/nbce does");
        try (LinearKernel kernel = LinearKernel.forDevice(SmallProducts.VECTOR, true)) {
            assertInstanceOf(VectorLinear.class, kernel);
        }
        assertSame(LinearKernel.WHOLE, LinearKernel.forDevice(SmallProducts.VECTOR, false), "a GPU runs PyTorch alone");
        assertSame(LinearKernel.WHOLE, LinearKernel.forDevice(SmallProducts.WHOLE, true));
    }

    @Test
    void everyFeatureIsItsDotProductOverOddShapes() {
        Random random = new Random(5);
        for (int in : new int[] {1, 7, 16, 17, 63, 64, 65, 100, 896}) {
            int out = 37;
            int tokens = 3;
            float[] w = values(random, out * in);
            float[] x = values(random, tokens * in);
            float[] bias = values(random, out);
            float[] y = new float[tokens * out];
            VectorLinear.rows(buffer(w), in, x, tokens, bias, y, out, 0, out);
            for (int t = 0; t < tokens; t++) {
                for (int o = 0; o < out; o++) {
                    double dot = bias[o];
                    double magnitude = Math.abs(bias[o]);
                    for (int i = 0; i < in; i++) {
                        dot += (double) w[o * in + i] * x[t * in + i];
                        magnitude += Math.abs((double) w[o * in + i] * x[t * in + i]);
                    }
                    assertEquals(dot, y[t * out + o], 1e-6 * magnitude + 1e-30, "in " + in + ", token " + t + ", feature " + o);
                }
            }
        }
    }

    @Test
    void aTokensResultDoesNotDependOnItsCompanyOrOnTheCut() {
        Random random = new Random(9);
        int in = 896 + 5;
        int out = 300;
        ByteBuffer w = buffer(values(random, out * in));
        float[] x = values(random, 8 * in);
        float[] together = new float[8 * out];
        VectorLinear.rows(w, in, x, 8, null, together, out, 0, out);
        for (int t = 0; t < 8; t++) {
            float[] alone = new float[out];
            float[] token = java.util.Arrays.copyOfRange(x, t * in, (t + 1) * in);
            int cut = 1 + random.nextInt(out - 1);
            VectorLinear.rows(w, in, token, 1, null, alone, out, cut, out);
            VectorLinear.rows(w, in, token, 1, null, alone, out, 0, cut);
            assertArrayEquals(java.util.Arrays.copyOfRange(together, t * out, (t + 1) * out), alone, 0f, "token " + t);
        }
    }

    @Test
    void compilingTheKernelDoesNotChangeItsResults() {
        Random random = new Random(3);
        int in = 200;
        int out = 16;
        ByteBuffer w = buffer(values(random, out * in));
        float[] x = values(random, in);
        float[] first = new float[out];
        VectorLinear.rows(w, in, x, 1, null, first, out, 0, out);
        float[] later = new float[out];
        for (int call = 0; call < 30_000; call++) { // far past C2's compile threshold
            VectorLinear.rows(w, in, x, 1, null, later, out, 0, out);
        }
        assertArrayEquals(first, later, 0f);
    }

    @Test
    void theNdArrayProductReadsTheWeightsOwnMemoryAndMatchesPyTorch() {
        try (NDManager manager = NDManager.newBaseManager(); VectorLinear kernel = new VectorLinear(LinearKernel.WHOLE)) {
            NDArray weight = manager.randomNormal(new Shape(1000, 896)).mul(0.02f);
            NDArray bias = manager.randomNormal(new Shape(1000));
            for (int tokens = 1; tokens <= VectorLinear.MAX_TOKENS + 2; tokens++) {
                NDArray x = manager.randomNormal(new Shape(tokens, 896));
                float[] expected = Ops.linear(x, weight, bias).toFloatArray();
                NDArray y = kernel.product(x, weight, bias);
                assertEquals(new Shape(tokens, 1000), y.getShape());
                double difference = ProductTiming.relativeDifference(expected, y.toFloatArray());
                assertTrue(difference < 1e-5, tokens + " tokens: relative difference " + difference);
            }
            // The kernel reads the weight's memory itself: a change to the weight shows in the next product.
            NDArray x = manager.ones(new Shape(1, 896));
            float before = kernel.product(x, weight, null).toFloatArray()[0];
            weight.set(new ai.djl.ndarray.index.NDIndex("0, 0"), weight.getFloat(0, 0) + 1f);
            assertEquals(before + 1f, kernel.product(x, weight, null).toFloatArray()[0], 1e-4f);
        }
    }

    @Test
    void productsItDoesNotHelpGoToTheNextKernel() {
        try (NDManager manager = NDManager.newBaseManager(); VectorLinear kernel = new VectorLinear(LinearKernel.WHOLE)) {
            NDArray small = manager.randomNormal(new Shape(64, 64));
            NDArray x = manager.randomNormal(new Shape(2, 64));
            assertArrayEquals(Ops.linear(x, small, null).toFloatArray(), kernel.apply(x, small, null).toFloatArray(), 0f);
            NDArray big = manager.randomNormal(new Shape(4500, 896));
            NDArray many = manager.randomNormal(new Shape(VectorLinear.MAX_TOKENS + 1, 896));
            assertArrayEquals(Ops.linear(many, big, null).toFloatArray(), kernel.apply(many, big, null).toFloatArray(), 0f);
            assertTrue(VectorLinear.readable(big));
            assertTrue(!VectorLinear.readable(big.toType(ai.djl.ndarray.types.DataType.FLOAT64, false)));
        }
    }

    /**
     * A decoder whose gate/up and head are big enough for the kernel: prefill, a 3-row step and one row verifying 3
     * drafts give logits within float rounding of one PyTorch call each.
     */
    @Test
    void aDecoderOnTheKernelGivesPyTorchsLogitsToRounding() {
        try (LlamaDecoder vector = bigEnoughDecoder(1, 3, SmallProducts.VECTOR);
             LlamaDecoder whole = bigEnoughDecoder(1, 3, SmallProducts.WHOLE)) {
            List<float[][]> vectorLogits = SplitLinearTest.steps(vector);
            List<float[][]> wholeLogits = SplitLinearTest.steps(whole);
            for (int s = 0; s < vectorLogits.size(); s++) {
                for (int r = 0; r < vectorLogits.get(s).length; r++) {
                    double difference = ProductTiming.relativeDifference(wholeLogits.get(s)[r], vectorLogits.get(s)[r]);
                    assertTrue(difference < 1e-5, "step " + s + ", row " + r + ": relative difference " + difference);
                }
            }
        }
    }

    /**
     * The reference fixtures' weights are all too small for the kernel, so this decoder's gate/up and head are big
     * enough: three rows decoded greedily for 16 steps choose the same ids on the kernel as on PyTorch alone.
     */
    @Test
    void greedyIdsAreTheSameOnTheKernelAsOnPyTorch() {
        try (LlamaDecoder vector = bigEnoughDecoder(2, 11, SmallProducts.VECTOR);
             LlamaDecoder whole = bigEnoughDecoder(2, 11, SmallProducts.WHOLE)) {
            assertEquals(greedy(whole), greedy(vector));
        }
    }

    /** Random weights with gate/up (2 × 4,096 × 512) and the head (8,192 × 512) above the kernel's 4M elements. */
    private static LlamaDecoder bigEnoughDecoder(int layers, long seed, SmallProducts kind) {
        ModelConfig config = new ModelConfig(Architecture.QWEN2, 512, 4096, layers, 8, 2, 64, 8192, 512, 1e-6, 10_000.0,
                true, true, List.of(1));
        return LlamaDecoder.randomWeights(config, seed, DeviceSpec.cpu(), DecoderOptions.DEFAULT.withSmallProducts(kind));
    }

    private static List<List<Integer>> greedy(LlamaDecoder decoder) {
        List<RowCache> rows = List.of(decoder.newRow(), decoder.newRow(), decoder.newRow());
        try {
            List<int[]> next = List.of(new int[] {5, 6, 7, 8, 9}, new int[] {100, 6, 10}, new int[] {11, 12});
            List<List<Integer>> ids = List.of(new java.util.ArrayList<>(), new java.util.ArrayList<>(),
                    new java.util.ArrayList<>());
            for (int step = 0; step < 16; step++) {
                float[][] logits = decoder.forward(rows, next);
                List<int[]> chosen = new java.util.ArrayList<>();
                for (int r = 0; r < rows.size(); r++) {
                    int best = 0;
                    for (int v = 1; v < logits[r].length; v++) {
                        best = logits[r][v] > logits[r][best] ? v : best;
                    }
                    ids.get(r).add(best);
                    chosen.add(new int[] {best});
                }
                next = chosen;
            }
            return ids;
        } finally {
            rows.forEach(RowCache::close);
        }
    }

    private static float[] values(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    private static ByteBuffer buffer(float[] values) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return buffer;
    }
}
