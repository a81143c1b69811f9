package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.worker.decoder.MachineLimits;
import dev.nbce.worker.decoder.StepCost;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** bench's --json keeps its earlier keys and carries the limits, bounds and ratios beside them (no timing here). */
class BenchJsonTest {
    private static final MachineLimits LIMITS = new MachineLimits(150, 30, "[256,896]x[896,4864]", 1L << 30, "FLOAT32");

    @Test
    void earlierKeysStayAndBoundsAndRatiosJoinThem() {
        // 64 rows x 16 tokens prefilled at 100 tok/s against a bound of 2,000 ms (512 tok/s); decode 600 ms against 400 ms.
        BenchCommand.Row row = new BenchCommand.Row("random Qwen2.5-0.5B shape", 64, 100, 50, 600, 1200,
                new StepCost.Bound(2000, StepCost.Limit.COMPUTE), new StepCost.Bound(400, StepCost.Limit.COMPUTE), 64 * 16);
        BenchCommand.Window window = new BenchCommand.Window(4096, 512, 20, 5, 300, 1L << 31, 1L << 27, 3L << 30,
                new StepCost.Bound(102_400, StepCost.Limit.COMPUTE), new StepCost.Bound(75, StepCost.Limit.MEMORY));
        ObjectNode json = BenchCommand.toJson(LIMITS, List.of(row), List.of(window));

        assertEquals(150.0, json.get("matmul_gflops").asDouble());
        assertEquals(30.0, json.get("stream_gbps").asDouble());
        assertEquals("[256,896]x[896,4864]", json.get("matmul_shape").asText());
        assertEquals(1L << 30, json.get("stream_bytes").asLong());
        assertEquals("FLOAT32", json.get("limits_dtype").asText());

        JsonNode r = json.get("results").get(0);
        assertEquals(List.of("model", "rows", "prefill_tokens_per_s", "prefill_speedup_vs_sequential", "decode_step_ms",
                "decode_rows_tokens_per_s", "decode_speedup_vs_sequential", "prefill_bound_tokens_per_s", "prefill_bound_limit",
                "prefill_ratio", "decode_bound_ms", "decode_bound_limit", "decode_ratio"), names(r));
        assertEquals(64, r.get("rows").asInt());
        assertEquals(600.0, r.get("decode_step_ms").asDouble());
        assertEquals(2.0, r.get("decode_speedup_vs_sequential").asDouble(), 1e-12);
        assertEquals(512.0, r.get("prefill_bound_tokens_per_s").asDouble(), 1e-9);
        assertEquals(5.12, r.get("prefill_ratio").asDouble(), 1e-9);
        assertEquals(400.0, r.get("decode_bound_ms").asDouble());
        assertEquals("compute", r.get("decode_bound_limit").asText());
        assertEquals(1.5, r.get("decode_ratio").asDouble(), 1e-12);

        JsonNode w = json.get("windows").get(0);
        assertEquals(List.of("tokens", "prefill_chunk_tokens", "prefill_tokens_per_s", "short_prompt_prefill_tokens_per_s",
                "decode_step_ms", "rss_after_load_bytes", "kv_cache_bytes", "peak_rss_bytes", "prefill_bound_tokens_per_s",
                "prefill_bound_limit", "prefill_ratio", "decode_bound_ms", "decode_bound_limit", "decode_ratio"), names(w));
        assertEquals(40.0, w.get("prefill_bound_tokens_per_s").asDouble(), 1e-9);
        assertEquals(2.0, w.get("prefill_ratio").asDouble(), 1e-9);
        assertEquals("memory", w.get("decode_bound_limit").asText());
        assertEquals(4.0, w.get("decode_ratio").asDouble(), 1e-12);
    }

    @Test
    void linesPrintTheLimitsAndEachFiguresBoundAndRatio() {
        BenchCommand.Row row = new BenchCommand.Row("demo", 1, 100, 100, 61.8, 61.8,
                new StepCost.Bound(50, StepCost.Limit.MEMORY), new StepCost.Bound(61.8 / 2.75, StepCost.Limit.MEMORY), 5);
        String line = BenchCommand.format(row);
        assertTrue(line.contains("bound: prefill 100 tok/s (memory) x1.00, decode 22.47 ms (memory) x2.75"), line);
        String limits = BenchCommand.format(LIMITS);
        assertTrue(limits.contains("matmul [256,896]x[896,4864] 150.0 GFLOP/s, streaming read of 1.00 GiB 30.0 GB/s"), limits);
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
