package dev.nbce.worker.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nbce.worker.model.ModelConfig;
import org.junit.jupiter.api.Test;

/** The KV byte arithmetic and where the budget comes from. */
class KvBudgetTest {
    @Test
    void bytesPerTokenAreKeysAndValuesOfEveryLayer() {
        // Qwen2.5-0.5B: 24 layers x 2 KV heads x 64 dims, K and V: 12 KiB per token in bf16, twice that in f32.
        ModelConfig qwen = ModelConfig.qwen25_05b();
        assertEquals(12_288, KvBudget.bytesPerToken(qwen, 2));
        assertEquals(24_576, KvBudget.bytesPerToken(qwen, 4));
    }

    @Test
    void capacityIsWholeTokensOfTheBudget() {
        assertEquals(3, new KvBudget(1000, 3999).capacityTokens(), "a partial token does not count");
        assertEquals(0, new KvBudget(1000, 999).capacityTokens());
        assertEquals(Integer.MAX_VALUE, new KvBudget(1, Long.MAX_VALUE).capacityTokens(), "clamped to what is announced");
    }

    @Test
    void budgetIsConfiguredOrAShareOfMemory() {
        assertEquals(1L << 30, KvBudget.parseBudgetBytes("1073741824", 64L << 30));
        assertEquals(16L << 30, KvBudget.parseBudgetBytes(null, 64L << 30), "default: a quarter of physical memory");
        assertEquals(16L << 30, KvBudget.parseBudgetBytes(" ", 64L << 30));
        assertEquals(KvBudget.FALLBACK_BYTES, KvBudget.parseBudgetBytes(null, -1));
        assertThrows(IllegalArgumentException.class, () -> KvBudget.parseBudgetBytes("0", 1));
        assertThrows(IllegalArgumentException.class, () -> KvBudget.parseBudgetBytes("4GiB", 1));
    }
}
