package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.gateway.request.Json;
import dev.nbce.launcher.config.ConfigurationPage;
import dev.nbce.launcher.config.Settings;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/nbce's commands: a result on success; a one-line error and a non-zero exit on bad input. */
class CliTest {
    @TempDir
    Path dir;

    /** One command's exit code and what it printed (also used by the other command tests). */
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path file(String name, byte[] content) throws Exception {
        Path path = dir.resolve(name);
        Files.write(path, content);
        return path;
    }

    @Test
    void generatePrintsTheReferenceResultAsJson() throws Exception {
        JsonNode c = Fixtures.tinyLlamaReference().get("nbce").get(0);
        Path request = file("request.json", ClusterExactnessTest.requestJson(c).toString().getBytes(StandardCharsets.UTF_8));
        Run run = run("generate", "--request", request.toString(), "--model", Fixtures.tinyLlama().toString(), "--json");
        assertEquals(0, run.code(), run.err());
        List<String> lines = run.out().lines().toList();
        JsonNode result = Json.MAPPER.readTree(lines.get(lines.size() - 1));
        assertEquals(c.get("generated_ids"), result.get("token_ids"));
        assertEquals("length", result.get("finish_reason").asText());
        assertEquals(4, result.get("windows").asInt());
        assertEquals(5, result.get("usage").get("prompt_tokens_per_row").size());
        int[] windows = Fixtures.ints(result.get("selected_windows"));
        assertEquals(ReferenceGenerationTest.expectedWindows(c).length, windows.length);
    }

    @Test
    void badInputIsOneLineAndANonZeroExit() throws Exception {
        String model = Fixtures.tinyLlama().toString();
        List<Object[]> cases = List.of(
                new Object[] {"{", 1}, new Object[] {"{\"question\":\"q\",\"colour\":1}", 1},
                new Object[] {"{\"question\":\"q\",\"top_p\":2}", 1}, new Object[] {"{\"question\":\"q\",\"nbce\":{\"beta\":-1}}", 1},
                new Object[] {"{\"question\":\"q\",\"max_new_tokens\":0}", 1}, new Object[] {"{\"question\":\"\"}", 1},
                new Object[] {"{\"question\":\"q\",\"max_new_tokens\":100000}", 1}, new Object[] {"[1,2]", 1});
        for (Object[] c : cases) {
            Path request = file("bad.json", ((String) c[0]).getBytes(StandardCharsets.UTF_8));
            assertOneLineError(run("generate", "--request", request.toString(), "--model", model), (int) c[1], (String) c[0]);
        }
        Path notUtf8 = file("latin1.json", new byte[] {'{', '"', 'q', 'u', 'e', 's', 't', 'i', 'o', 'n', '"', ':', '"', (byte) 0xe9, '"', '}'});
        assertOneLineError(run("generate", "--request", notUtf8.toString(), "--model", model), 1, "invalid UTF-8");
        assertOneLineError(run("generate"), 2, "missing --request");
        assertOneLineError(run("generate", "--request", dir.resolve("missing.json").toString()), 2, "missing file");
        assertOneLineError(run("generate", "--request", "x.json", "--model", dir.toString()), 2, "not a model dir");
        assertOneLineError(run("generate", "--frobnicate"), 2, "unknown option");
        assertOneLineError(run("explode"), 2, "unknown command");
        assertOneLineError(run("serve", "--workers", "zero"), 2, "non-integer");
        assertOneLineError(run("eval", "--cases", dir.resolve("none.jsonl").toString(), "--methods", "guess"), 2, "bad method");
    }

    @Test
    void settingsRendersTheConfigurationPageAndABadSettingIsOneLine() throws Exception {
        Run page = run("settings", "--markdown");
        assertEquals(0, page.code(), page.err());
        assertEquals(ConfigurationPage.markdown(), page.out());
        Path request = file("request.json", "{\"question\":\"q\"}".getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"generate", "--request", request.toString(), "--model", Fixtures.tinyLlama().toString()},
                Settings.of(Map.of("NBCE_PREFILL_CHUNK_TOKENS", "lots")), new PrintStream(OutputStream.nullOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        Run bad = new Run(code, "", err.toString(StandardCharsets.UTF_8));
        assertOneLineError(bad, 1, "bad setting");
        assertTrue(bad.err().contains("NBCE_PREFILL_CHUNK_TOKENS must be a positive number of tokens, got 'lots'"), bad.err());
    }

    @Test
    void certsIssuesACaAndMemberCertificatesThatOpensslVerifies() throws Exception {
        Path out = dir.resolve("certs");
        Run first = run("certs", "--out", out.toString(), "--name", "gateway", "--san", "DNS:nbce-gateway,IP:10.0.0.7");
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("NBCE_CLUSTER_TLS_CERT=" + out.resolve("gateway.crt").toAbsolutePath()), first.out());
        byte[] ca = java.nio.file.Files.readAllBytes(out.resolve("ca.crt"));
        assertEquals(0, run("certs", "--out", out.toString(), "--name", "worker-0").code());
        assertArrayEquals(ca, java.nio.file.Files.readAllBytes(out.resolve("ca.crt")), "the CA is reused, not replaced");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                java.nio.file.Files.getPosixFilePermissions(out.resolve("worker-0.key"))));
        for (String member : new String[] {"gateway", "worker-0"}) {
            Process verify = new ProcessBuilder("openssl", "verify", "-purpose", "sslclient", "-CAfile", out.resolve("ca.crt").toString(),
                    out.resolve(member + ".crt").toString()).redirectErrorStream(true).start();
            String said = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, verify.waitFor(), said);
        }
        assertOneLineError(run("certs"), 2, "missing --out");
        assertOneLineError(run("certs", "--out", out.toString(), "--name", "../escape"), 1, "bad name");
    }

    private static void assertOneLineError(Run run, int code, String what) {
        assertEquals(code, run.code(), what + ": " + run.err());
        String err = run.err().strip();
        assertFalse(err.isEmpty(), what);
        assertEquals(1, err.lines().count(), what + " printed more than one line:\n" + err);
        assertFalse(err.contains("Exception") || err.contains("\tat "), what + ": " + err);
        assertTrue(err.startsWith("nbce"), err);
    }
}
