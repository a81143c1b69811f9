package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nbce.common.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** nbce structured-bench: clear errors for bad arguments, and MaskBench's keys in --json with a real tokenizer. */
class StructuredBenchCommandTest {
    @TempDir
    Path dir;

    private static CliTest.Run run(String... args) {
        return CliTest.run(args);
    }

    @Test
    void badArgumentsAreRefusedWithExitCode2() throws Exception {
        CliTest.Run none = run("structured-bench");
        assertEquals(2, none.code());
        assertTrue(none.err().contains("--cases"), none.err());
        CliTest.Run missing = run("structured-bench", "--cases", dir.resolve("nope.jsonl").toString(), "--tokenizer", Fixtures.tinyLlama().toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("no cases file"), missing.err());
        Path cases = Files.writeString(dir.resolve("c.jsonl"), "{}\n");
        CliTest.Run limit = run("structured-bench", "--cases", cases.toString(), "--tokenizer", Fixtures.tinyLlama().toString(), "--limit", "x");
        assertEquals(2, limit.code());
        assertTrue(limit.err().contains("--limit"), limit.err());
    }

    @Test
    void jsonHasMaskBenchsKeys() throws Exception {
        Path cases = Files.writeString(dir.resolve("c.jsonl"), String.join("\n",
                "{\"id\":\"a\",\"schema\":{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}},\"required\":[\"n\"]},"
                        + "\"tests\":[{\"valid\":true,\"data\":{\"n\":12}},{\"valid\":false,\"data\":{\"m\":1}}]}",
                "{\"id\":\"b\",\"schema\":{\"if\":{}},\"tests\":[]}"));
        CliTest.Run r = run("structured-bench", "--cases", cases.toString(), "--tokenizer", Fixtures.tinyLlama().toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals(2, json.get("schemas").asInt());
        assertEquals(1, json.get("passing").asInt());
        assertEquals(1, json.get("compile_error").asInt());
        assertEquals(0, json.get("validation_error").asInt());
        assertEquals(0, json.get("invalidation_error").asInt());
        for (String key : new String[] {"ttfm_us", "tbm_us"}) {
            for (String p : new String[] {"p50", "p90", "p99"}) {
                assertTrue(json.get(key).get(p).asDouble() > 0, key + "." + p + " in " + r.out());
            }
        }
    }
}
