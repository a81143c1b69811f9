package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.gateway.request.Json;
import dev.nbce.common.testing.Slow;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * `nbce eval` on the whole needle-in-a-haystack dev set with the embedded demo model reproduces
 * the reference accuracy (fixtures/eval/reference-results-dev.json) within ±0.05 for every window
 * count and method, and the recommended window selection meets its accuracy and cost targets in the same run.
 */
@Slow
class EvalAccuracyTest {
    @Test
    void reproducesReferenceAccuracy() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"eval", "--cases", Fixtures.file("eval/haystack-dev.jsonl").toString(), "--json"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        List<String> lines = printed.lines().toList();
        JsonNode ours = Json.MAPPER.readTree(lines.get(lines.size() - 1)).get("accuracy");
        JsonNode reference = Json.MAPPER.readTree(Fixtures.file("eval/reference-results-dev.json").toFile()).get("accuracy");
        int compared = 0;
        for (Iterator<Map.Entry<String, JsonNode>> rows = reference.fields(); rows.hasNext(); ) {
            Map.Entry<String, JsonNode> row = rows.next();
            for (Iterator<Map.Entry<String, JsonNode>> methods = row.getValue().fields(); methods.hasNext(); ) {
                Map.Entry<String, JsonNode> method = methods.next();
                double got = ours.get(row.getKey()).get(method.getKey()).asDouble();
                double want = method.getValue().asDouble();
                assertTrue(Math.abs(got - want) <= 0.05, row.getKey() + " " + method.getKey() + ": " + got + " vs reference " + want);
                compared++;
            }
        }
        assertEquals(35, compared, "7 window counts x 5 methods");
        selectionMeetsItsTargets(Json.MAPPER.readTree(lines.get(lines.size() - 1)));
    }

    /**
     * The recommended selection (docs/nbce-modes.md) against the reference combination in the same run: at
     * least 0.95 at 32 and 64 windows, at most 0.02 below it at 1 to 8, and at 64 windows at most a fifth of its
     * decode rows·steps and at most 1.1x its prefilled tokens.
     */
    private static void selectionMeetsItsTargets(JsonNode report) {
        JsonNode accuracy = report.get("accuracy");
        for (String n : List.of("n=32", "n=64")) {
            double selected = accuracy.get(n).get("nbce_selected").asDouble();
            assertTrue(selected >= 0.95, n + " nbce_selected " + selected);
        }
        for (String n : List.of("n=1", "n=2", "n=4", "n=8")) {
            double selected = accuracy.get(n).get("nbce_selected").asDouble();
            double reference = accuracy.get(n).get("nbce_min_entropy").asDouble();
            assertTrue(selected >= reference - 0.02, n + " nbce_selected " + selected + " vs nbce_min_entropy " + reference);
        }
        JsonNode rowsSteps = report.get("rows_steps").get("n=64");
        assertTrue(rowsSteps.get("nbce_selected").asDouble() <= rowsSteps.get("nbce_min_entropy").asDouble() / 5,
                "rows·steps at 64 windows: " + rowsSteps);
        JsonNode prefill = report.get("prefill_tokens").get("n=64");
        assertTrue(prefill.get("nbce_selected").asDouble() <= prefill.get("nbce_min_entropy").asDouble() * 1.1,
                "prefilled tokens at 64 windows: " + prefill);
    }
}
