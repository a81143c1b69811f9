package dev.nbce.worker.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/**
 * A split product is bit for bit the product in one call, with and without bias, odd widths included, at the widths
 * it splits (narrower weights are not split: see {@link SplitLinear#MIN_OUTPUTS}).
 */
class SplitLinearTest {
    @Test
    void splitProductsEqualOneCallBitForBit() {
        try (NDManager manager = NDManager.newBaseManager(); SplitLinear split = SplitLinear.forDevice(true)) {
            manager.getEngine().setRandomSeed(5);
            for (long[] shape : new long[][] {{96, 257}, {64, 2}, {33, 1000}, {128, 3}, {896, 4864}, {4864, 896},
                    {64, 1024}, {256, 1279}, {896, 32_000}, {200, 333}, {1000, 999}}) {
                NDArray weight = manager.randomNormal(new Shape(shape[1], shape[0]));
                NDArray bias = manager.randomNormal(new Shape(shape[1]));
                for (int tokens = 1; tokens <= SplitLinear.MAX_TOKENS + 2; tokens++) {
                    NDArray x = manager.randomNormal(new Shape(tokens, shape[0]));
                    for (NDArray b : new NDArray[] {null, bias}) {
                        float[] expected = Ops.linear(x, weight, b).toFloatArray();
                        NDArray actual = split.apply(x, weight, b);
                        assertArrayEquals(new long[] {tokens, shape[1]}, actual.getShape().getShape());
                        assertArrayEquals(expected, actual.toFloatArray(), 0f,
                                "[" + tokens + ", " + shape[0] + "] x [" + shape[0] + ", " + shape[1] + "], bias " + (b != null));
                    }
                }
            }
        }
    }

    @Test
    void gpusDoNotSplit() {
        assertNull(SplitLinear.forDevice(false));
    }
}
