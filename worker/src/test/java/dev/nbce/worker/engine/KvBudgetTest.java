package dev.nbce.worker.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.worker.model.ModelConfig;
import java.lang.management.MemoryUsage;
import org.junit.jupiter.api.Test;

/** The KV byte arithmetic and where the budget comes from. */
class KvBudgetTest {
    /** A share set by the environment, as the launcher hands it over. */
    private static KvCacheSize.DeviceShare share(double utilization) {
        return new KvCacheSize.DeviceShare(utilization, "NBCE_GPU_MEMORY_UTILIZATION", "NBCE_KV_CACHE_BYTES");
    }

    @Test
    void bytesPerTokenAreKeysAndValuesOfEveryLayer() {
        // Qwen2.5-0.5B: 24 layers x 2 KV heads x 64 dims, K and V: 12 KiB per token in bf16, twice that in f32.
        ModelConfig qwen = ModelConfig.qwen25_05b();
        assertEquals(12_288, KvBudget.bytesPerToken(qwen, 2));
        assertEquals(24_576, KvBudget.bytesPerToken(qwen, 4));
    }

    @Test
    void capacityIsWholeTokensOfTheBudget() {
        assertEquals(3, new KvBudget(1000, 3999).capacityKvTokens(), "a partial token does not count");
        assertEquals(0, new KvBudget(1000, 999).capacityKvTokens());
        assertEquals(Integer.MAX_VALUE, new KvBudget(1, Long.MAX_VALUE).capacityKvTokens(), "clamped to what is announced");
    }

    @Test
    void bytesWhenSetElseTheDeviceShare() {
        // From the environment: launcher's WorkerOptionsTest.
        assertEquals(new KvCacheSize.Bytes(4096, "--kv-cache-bytes"),
                KvCacheSize.parse("4096", "--kv-cache-bytes", null, "--gpu-memory-utilization"));
    }

    @Test
    void badValuesNameTheirVariable() {
        // The environment's variables: launcher's WorkerOptionsTest.
        IllegalArgumentException flag = assertThrows(IllegalArgumentException.class,
                () -> KvCacheSize.parse(null, "--kv-cache-bytes", "2", "--gpu-memory-utilization"));
        assertTrue(flag.getMessage().startsWith("--gpu-memory-utilization must be"), flag.getMessage());
    }

    @Test
    void onACpuAQuarterOfPhysicalMemory() {
        KvBudget budget = KvBudget.onCpu(1000, 64L << 30);
        assertEquals(16L << 30, budget.budgetBytes());
        assertEquals("25% of RAM", budget.source());
        assertEquals(KvBudget.FALLBACK_BYTES, KvBudget.onCpu(1000, -1).budgetBytes(), "physical memory unreadable");
    }

    @Test
    void onAGpuTheShareLessWhatIsInUseLessActivationsHalvedForTheGatheredPast() {
        long gib = 1L << 30;
        // 80 GiB x 0.9 = 72 GiB; 16 GiB in use after the weights; 8 GiB for a forward: 48 GiB left, half for KV.
        assertEquals(24 * gib, GpuKvBudget.budgetBytes(80 * gib, 16 * gib, 0.9, 8 * gib));
        assertEquals(32 * gib, GpuKvBudget.budgetBytes(80 * gib, 8 * gib, 1.0, 8 * gib));
        assertEquals(0, GpuKvBudget.budgetBytes(24 * gib, 20 * gib, 0.9, 4 * gib), "nothing left is 0, not negative");

        // As CudaUtils.getGpuMemory reports it: used = committed = total - free, max = total.
        KvBudget gpu = KvBudget.onGpu(1000, share(0.9), new MemoryUsage(-1, 16 * gib, 16 * gib, 80 * gib), 8 * gib);
        assertEquals(24 * gib, gpu.budgetBytes());
        assertEquals("90% of GPU memory less weights and activations", gpu.source());
        assertEquals("85% of GPU memory less weights and activations",
                KvBudget.onGpu(1000, share(0.85), new MemoryUsage(-1, gib, gib, 80 * gib), gib).source());
        IllegalStateException full = assertThrows(IllegalStateException.class,
                () -> KvBudget.onGpu(1000, share(0.9), new MemoryUsage(-1, 20 * gib, 20 * gib, 24 * gib), 4 * gib));
        assertTrue(full.getMessage().contains("NBCE_GPU_MEMORY_UTILIZATION") && full.getMessage().contains("NBCE_KV_CACHE_BYTES"),
                full.getMessage());
    }

    @Test
    void activationsGrowWithTheForwardTheLimitsAllow() {
        ModelConfig qwen = ModelConfig.qwen25_05b();
        EngineLimits limits = new EngineLimits(512, 8192, 64L << 20, 0, 1L << 30);
        long base = GpuKvBudget.activationBytes(qwen, 2, limits, 512);
        // At least the F32 softmax of every head over the attention cells, and the logits of every row.
        assertTrue(base >= (64L << 20) * qwen.heads() * 4 + 512L * qwen.vocab() * 2, "estimate " + base);
        long moreCells = GpuKvBudget.activationBytes(qwen, 2, new EngineLimits(512, 8192, 128L << 20, 0, 1L << 30), 512);
        assertTrue(moreCells - base >= (64L << 20) * qwen.heads() * 4, "twice the cells: at least another softmax");
        long moreTokens = GpuKvBudget.activationBytes(qwen, 2, new EngineLimits(512, 16384, 64L << 20, 0, 1L << 30), 512);
        assertTrue(moreTokens - base >= 8192L * qwen.intermediate() * 2 * 4, "twice the tokens: at least the MLP's");
        assertTrue(GpuKvBudget.activationBytes(qwen, 4, limits, 512) > base, "f32 takes more than bf16");
        // A chunk longer than the batch bound still runs (one row alone): it sets the tokens.
        assertTrue(GpuKvBudget.activationBytes(qwen, 2, limits, 16384) > base);
    }
}
