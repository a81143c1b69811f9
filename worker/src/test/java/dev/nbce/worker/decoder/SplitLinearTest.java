package dev.nbce.worker.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.nbce.worker.model.Architecture;
import dev.nbce.worker.model.DeviceSpec;
import dev.nbce.worker.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A split product is bit for bit the product in one call, with and without bias, odd widths included; weights too
 * small to split ({@link LinearKernel#MIN_SHARED_WEIGHT_ELEMENTS}) go through whole.
 */
class SplitLinearTest {
    @Test
    void splitProductsEqualOneCallBitForBit() {
        try (NDManager manager = NDManager.newBaseManager(); SplitLinear split = SplitLinear.onTwoCores()) {
            manager.getEngine().setRandomSeed(5);
            for (long[] shape : new long[][] {{96, 257}, {64, 2}, {896, 4864}, {4864, 896}, {896, 32_000},
                    {1000, 4099}, {2048, 2047}, {256, 16_001}}) {
                NDArray weight = manager.randomNormal(new Shape(shape[1], shape[0]));
                NDArray bias = manager.randomNormal(new Shape(shape[1]));
                for (int tokens = 1; tokens <= SplitLinear.MAX_TOKENS + 2; tokens++) {
                    NDArray x = manager.randomNormal(new Shape(tokens, shape[0]));
                    for (NDArray b : new NDArray[] {null, bias}) {
                        float[] expected = Ops.linear(x, weight, b).toFloatArray();
                        NDArray actual = split.apply(x, weight, b);
                        assertArrayEquals(expected, split.inHalves(x, weight, b).toFloatArray(), 0f, "forced halves");
                        assertArrayEquals(new long[] {tokens, shape[1]}, actual.getShape().getShape());
                        assertArrayEquals(expected, actual.toFloatArray(), 0f,
                                "[" + tokens + ", " + shape[0] + "] x [" + shape[0] + ", " + shape[1] + "], bias " + (b != null));
                    }
                }
            }
        }
    }

    /**
     * Through a whole decoder whose gate/up and head are big enough to split: prefill, a 3-row decode step and one row
     * verifying 3 drafts give the same logits bit for bit with small products split and whole.
     */
    @Test
    void aDecoderGivesTheSameLogitsWithProductsSplitAndWhole() {
        ModelConfig config = new ModelConfig(Architecture.QWEN2, 512, 4096, 1, 8, 2, 64, 8192, 512, 1e-6, 10_000.0, true,
                true, List.of(1));
        try (LlamaDecoder split = LlamaDecoder.randomWeights(config, 3, DeviceSpec.cpu(),
                     DecoderOptions.DEFAULT.withSmallProducts(DecoderOptions.SmallProducts.SPLIT));
             LlamaDecoder whole = LlamaDecoder.randomWeights(config, 3, DeviceSpec.cpu(),
                     DecoderOptions.DEFAULT.withSmallProducts(DecoderOptions.SmallProducts.WHOLE))) {
            List<float[][]> splitLogits = steps(split);
            List<float[][]> wholeLogits = steps(whole);
            for (int s = 0; s < splitLogits.size(); s++) {
                for (int r = 0; r < splitLogits.get(s).length; r++) {
                    assertArrayEquals(wholeLogits.get(s)[r], splitLogits.get(s)[r], 0f, "step " + s + ", row " + r);
                }
            }
        }
    }

    static List<float[][]> steps(LlamaDecoder decoder) {
        List<RowCache> rows = List.of(decoder.newRow(), decoder.newRow(), decoder.newRow());
        try {
            List<float[][]> logits = new ArrayList<>();
            logits.add(decoder.forward(rows, List.of(new int[] {5, 6, 7, 8, 9}, new int[] {5, 6, 10}, new int[] {11, 12})));
            logits.add(decoder.forward(rows, List.of(new int[] {20}, new int[] {21}, new int[] {22})));
            logits.add(decoder.forward(rows.subList(0, 1), List.of(new int[] {30, 31, 32, 33}), new int[] {4}));
            return logits;
        } finally {
            rows.forEach(RowCache::close);
        }
    }

    @Test
    void gpusDoNotSplit() {
        assertSame(LinearKernel.WHOLE, LinearKernel.forDevice(DecoderOptions.SmallProducts.SPLIT, false));
    }
}
