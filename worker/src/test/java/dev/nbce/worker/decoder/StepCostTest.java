package dev.nbce.worker.decoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.worker.model.Architecture;
import dev.nbce.worker.model.ComputeDevice;
import dev.nbce.worker.model.ModelConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bound arithmetic of bench's limits, by hand on small shapes and on Qwen2.5-0.5B's published size. */
class StepCostTest {
    /** hidden 4, intermediate 8, 2 layers, 2 heads of dim 2, 1 KV head, vocabulary 10. */
    private static final ModelConfig TINY = new ModelConfig(Architecture.LLAMA, 4, 8, 2, 2, 1, 2, 10, 64, 1e-6, 10_000.0,
            false, false, List.of(0));

    @Test
    void countsProjectionsHeadAttentionAndCacheReadsByHand() {
        // Per layer: qkv 4*(2+2)*2 = 32, o 2*2*4 = 16, MLP 3*4*8 = 96 -> 144; head 10*4 = 40.
        assertEquals(144, StepCost.layerMatmulParams(TINY));
        // Decode of 3 rows after 5 cached tokens: each token attends to 6 positions.
        StepCost c = StepCost.decode(TINY, 3, 5, 4);
        double flops = 2.0 * 144 * 2 * 3 + 2.0 * 40 * 3 + 4.0 * 2 * 2 * 2 * 6 * 3;
        assertEquals(flops, c.flops());
        assertEquals((144.0 * 2 + 40) * 4, c.weightBytes());
        assertEquals(2.0 * 2 * 1 * 2 * 6 * 3 * 4, c.kvBytes());
        assertEquals(c.weightBytes() + c.kvBytes(), c.bytes());
    }

    @Test
    void prefillIsCausalAndReadsTheWeightsOncePerChunk() {
        // 4 new tokens after none attend to 1+2+3+4 = 10 positions; the head runs on the last token only.
        StepCost whole = StepCost.prefill(TINY, 1, 4, 512, 4);
        assertEquals(2.0 * 144 * 2 * 4 + 2.0 * 40 + 4.0 * 2 * 2 * 2 * 10, whole.flops());
        assertEquals((144.0 * 2 + 40) * 4, whole.weightBytes());
        // In chunks of 2: forward(2 after 0) + forward(2 after 2); weights read twice, the head twice.
        StepCost chunked = StepCost.prefill(TINY, 1, 4, 2, 4);
        assertEquals(StepCost.forward(TINY, 1, 2, 0, 4).plus(StepCost.forward(TINY, 1, 2, 2, 4)), chunked);
        assertEquals(2 * whole.weightBytes(), chunked.weightBytes());
        assertEquals(whole.flops() + 2.0 * 40, chunked.flops());
    }

    @Test
    void theBoundIsTheLongerOfComputeAtPeakAndBytesAtBandwidth() {
        MachineLimits limits = new MachineLimits(100, 20, "[1,1]x[1,1]", 4, "FLOAT32");
        // 1e9 flops at 100 GFLOP/s = 10 ms; 1e8 bytes at 20 GB/s = 5 ms.
        StepCost.Bound compute = new StepCost(1e9, 6e7, 4e7).bound(limits);
        assertEquals(10.0, compute.millis(), 1e-9);
        assertEquals(StepCost.Limit.COMPUTE, compute.limit());
        assertEquals(2.5, compute.ratio(25.0), 1e-9);
        StepCost.Bound memory = new StepCost(1e8, 3e8, 1e8).bound(limits);
        assertEquals(20.0, memory.millis(), 1e-9);
        assertEquals("memory", memory.limit().label());
        assertThrows(IllegalArgumentException.class, () -> new MachineLimits(0, 20, "", 4, "FLOAT32"));
    }

    @Test
    void qwenHalfBShapeReadsItsPublishedWeightsAndIsComputeBoundFromAFewRows() {
        ModelConfig qwen = ModelConfig.qwen25_05b();
        StepCost one = StepCost.decode(qwen, 1, 16, 4);
        // 494M parameters counting the tied head once as a matmul weight (the embedding gather reads a row).
        assertEquals(1.976e9, one.weightBytes(), 0.005e9);
        // The issue's machine: 155 GFLOP/s, 32 GB/s: one row is bound by the weights (~62 ms), 64 by compute (~408 ms).
        MachineLimits issue = new MachineLimits(155, 32, "[256,896]x[896,4864]", 1L << 31, "FLOAT32");
        StepCost.Bound oneRow = one.bound(issue);
        assertEquals(StepCost.Limit.MEMORY, oneRow.limit());
        assertEquals(61.8, oneRow.millis(), 0.5);
        StepCost.Bound rows64 = StepCost.decode(qwen, 64, 16, 4).bound(issue);
        assertEquals(StepCost.Limit.COMPUTE, rows64.limit());
        assertEquals(408, rows64.millis(), 3);
    }

    @Test
    void measuresBothLimitsThroughTheEngineAtTinySizes() {
        MachineLimits limits = MachineLimits.measure(ComputeDevice.cpu(), new MachineLimits.Sizes(4, 8, 16, 4096, 2, 1_000_000_000L));
        assertTrue(limits.matmulGflops() > 0 && limits.streamGbps() > 0, limits.toString());
        assertEquals("[4,8]x[8,16]", limits.matmulShape());
        assertEquals(4096, limits.streamBytes());
        assertEquals("FLOAT32", limits.dtype());
    }

    @Test
    void limitSizesAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new MachineLimits.Sizes(0, 1, 1, 4, 1, 1));
        assertEquals(1L << 20, MachineLimits.Sizes.DEFAULT.withStreamBytes(1L << 20).streamBytes());
    }
}
