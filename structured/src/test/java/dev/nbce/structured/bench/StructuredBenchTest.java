package dev.nbce.structured.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.structured.bench.StructuredBench.Outcome;
import dev.nbce.structured.bench.StructuredBench.Result;
import dev.nbce.structured.vocab.TokenBytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench classifies each schema as MaskBench does, over a byte vocabulary (one token per byte). */
class StructuredBenchTest {
    @TempDir
    Path dir;

    @Test
    void eachOutcomeIsCountedAndTimed() throws Exception {
        Path cases = dir.resolve("cases.jsonl");
        Files.writeString(cases, String.join("\n",
                "{\"id\":\"pass\",\"schema\":{\"type\":\"integer\"},\"tests\":[{\"valid\":true,\"data\":3},{\"valid\":false,\"data\":\"x\"}]}",
                "{\"id\":\"refused\",\"schema\":{\"not\":{}},\"tests\":[{\"valid\":true,\"data\":1}]}",
                "{\"id\":\"too-strict\",\"schema\":{\"type\":\"string\",\"format\":\"date\"},\"tests\":[{\"valid\":true,\"data\":\"2023-02-29\"}]}",
                "{\"id\":\"too-loose\",\"schema\":{\"type\":\"string\",\"format\":\"no-such\"},\"tests\":[{\"valid\":false,\"data\":\"x\"}]}",
                "{\"id\":\"float\",\"schema\":{\"type\":\"integer\"},\"tests\":[{\"valid\":false,\"data\":5.0}]}"));
        List<byte[]> bytes = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            bytes.add(new byte[] {(byte) b});
        }
        StructuredBench bench = new StructuredBench(TokenBytes.of(bytes), text -> {
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            int[] ids = new int[utf8.length];
            for (int i = 0; i < utf8.length; i++) {
                ids[i] = utf8[i] & 0xFF;
            }
            return ids;
        });
        Map<String, String> reported = new LinkedHashMap<>();
        Result r = bench.run(cases, 100, reported::put);
        assertEquals(5, r.schemas());
        assertEquals(2, r.count(Outcome.PASSING), reported.toString());
        assertEquals(1, r.count(Outcome.COMPILE_ERROR));
        assertEquals(1, r.count(Outcome.VALIDATION_ERROR));
        assertEquals(1, r.count(Outcome.INVALIDATION_ERROR));
        assertTrue(reported.get("too-strict").startsWith("valid instance refused"), reported.toString());
        assertTrue(reported.get("too-loose").startsWith("invalid instance accepted"), reported.toString());
        assertEquals(4, r.ttfmNanos().length, "one first mask per compiled schema");
        assertTrue(r.tbmNanos().length >= 10, "a mask per token fed");
        assertEquals(1, bench.run(cases, 1).schemas(), "--limit");
    }
}
