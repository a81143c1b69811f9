package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.common.testing.Fixtures;
import dev.nbce.common.testing.StartsProcesses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deploy/gpu/check.sh without a GPU: its arguments, its plan (a dry run stops before the build) and its table. */
@StartsProcesses
class GpuCheckScriptTest {
    private static final Path SCRIPT = Fixtures.repositoryRoot().resolve("deploy/gpu/check.sh");
    private static final Path TABLE = Fixtures.repositoryRoot().resolve("deploy/gpu/check_table.py");

    @TempDir
    Path work;

    record Run(int code, String out) {
    }

    private static Run run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "still running: " + command);
        return new Run(p.exitValue(), out);
    }

    private Run check(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString(), "--work", work.resolve("w").toString()));
        command.addAll(List.of(args));
        return run(command);
    }

    @Test
    void aDryRunForAnotherTorchPlansTheJniBuildAndStopsBeforeIt() throws Exception {
        Run r = check("--dry-run", "--torch-version", "2.5.1+cu124", "--cuda", "12.4", "--djl-source", "/src/djl-0.35.1.tar.gz");
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("1. JNI       build: DJL 0.35.1 publishes a JNI for torch 2.7.1 with CUDA 12.8 only,"
                + " not 2.5.1 with CUDA 12.4"), r.out());
        assertTrue(r.out().contains("from /src/djl-0.35.1.tar.gz/engines/pytorch/pytorch-native"), r.out());
        assertTrue(r.out().contains("2.5.1-cu124-linux-x86_64/0.35.1-libdjl_torch.so"), r.out());
        assertTrue(r.out().contains("PYTORCH_VERSION=2.5.1 PYTORCH_FLAVOR=cu124"), r.out());
        for (String dtype : List.of("f16", "bf16")) {
            assertTrue(r.out().contains("-Dnbce.check.device=gpu -Dnbce.check.dtype=" + dtype), r.out());
            assertTrue(r.out().contains("bin/nbce bench --device gpu --dtype " + dtype + " --synthetic qwen2.5-0.5b --rows 1,16,64"),
                    r.out());
        }
        assertTrue(r.out().strip().endsWith("dry run: stopping before the build"), r.out());
        assertFalse(Files.exists(work.resolve("w")), "a dry run writes nothing");
    }

    @Test
    void theTorchDjlPublishesForNeedsNoBuild() throws Exception {
        Run r = check("--dry-run", "--torch-version", "2.7.1+cu128", "--cuda", "12.8", "--dtypes", "bf16", "--skip-bench");
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("1. JNI       published: DJL 0.35.1's cu128 JNI (pytorch-jni-2.7.1-0.35.1.jar) fits torch 2.7.1"),
                r.out());
        assertTrue(r.out().contains("-Dnbce.check.dtype=bf16"), r.out());
        assertFalse(r.out().contains("fixtures  f16"), r.out());
        assertFalse(r.out().contains("bin/nbce bench"), r.out());
    }

    @Test
    void badArgumentsAreOneLineAndExitTwo() throws Exception {
        Run dtype = check("--dry-run", "--dtypes", "f16,fp8", "--torch-version", "2.5.1", "--cuda", "12.4");
        assertEquals(2, dtype.code());
        assertEquals("gpu-check: --dtypes takes f32, f16 and bf16, not fp8", dtype.out().strip());
        Run alone = check("--dry-run", "--torch-version", "2.5.1");
        assertEquals(2, alone.code());
        assertEquals("gpu-check: --torch-version and --cuda go together", alone.out().strip());
        Run rows = check("--dry-run", "--rows", "1,x");
        assertEquals(2, rows.code());
        assertEquals("gpu-check: --rows takes numbers separated by commas, not 1,x", rows.out().strip());
        Run unknown = check("--gpu");
        assertEquals(2, unknown.code());
        assertEquals("gpu-check: unknown argument --gpu (see --help)", unknown.out().strip());
        Run missing = check("--djl-source");
        assertEquals(2, missing.code());
        assertEquals("gpu-check: --djl-source needs a value", missing.out().strip());
    }

    @Test
    void theTableHasAColumnPerDtypeAndFailsOnAReferenceOutsideItsAllowance() throws Exception {
        Files.writeString(work.resolve("env.json"),
                "{\"torch\":\"2.5.1+cu124\",\"cuda\":\"12.4\",\"gpu\":\"NVIDIA H100\",\"jni\":\"build\",\"flavor\":\"cu124\"}\n");
        Files.writeString(work.resolve("ref-f16.jsonl"), reference("tiny-llama", "f16", 0.01, 3.2e-3, true, 3, 0, 0, 4, 4)
                + reference("tiny-qwen3", "f16", 0.01, 1.1e-3, true, 2, 1, 0, 3, 4));
        Files.writeString(work.resolve("ref-bf16.jsonl"), reference("tiny-llama", "bf16", 0.05, 2.5e-2, true, 3, 0, 0, 4, 4)
                + reference("tiny-qwen3", "bf16", 0.05, 9.0e-2, false, 1, 0, 2, 2, 4));
        Files.writeString(work.resolve("bench-f16.json"), bench(1400.5, 2950.2, 5.21, 2.62, 900.0, 1.9));
        Files.writeString(work.resolve("bench-bf16.json"), bench(1500.0, 3000.0, 4.8, 2.4, 950.0, 1.8));

        Run r = run(List.of("python3", TABLE.toString(), work.toString()));
        assertEquals(1, r.code(), r.out());
        assertEquals("""
                GPU check: torch 2.5.1+cu124, CUDA 12.4, NVIDIA H100, JNI build (cu124)

                | check | f16 | bf16 |
                |---|---|---|
                | tiny-llama: last logits max abs diff | 3.2e-03 within (tol 0.01) | 2.5e-02 within (tol 0.05) |
                | tiny-llama: argmax equal | 3/3 | 3/3 |
                | tiny-llama: NBCE ids, windows equal | 4/4, 4/4 | 4/4, 4/4 |
                | tiny-qwen3: last logits max abs diff | 1.1e-03 within (tol 0.01) | 9.0e-02 **OUTSIDE** (tol 0.05) |
                | tiny-qwen3: argmax equal | 2/3 (+1 at near ties) | 1/3 **2 missed** |
                | tiny-qwen3: NBCE ids, windows equal | 3/4, 4/4 | 2/4, 4/4 |
                | bench: matmul peak, streaming read | 1400 GFLOP/s, 2950 GB/s | 1500 GFLOP/s, 3000 GB/s |
                | bench 0.5B shape, 1 rows: decode step (x bound) | 5.2 ms (x2.62, memory) | 4.8 ms (x2.40, memory) |
                | bench 0.5B shape, 1 rows: prefill (x bound) | 900 tok/s (x1.90, compute) | 950 tok/s (x1.80, compute) |

                result: FAILED
                """, r.out());

        Files.delete(work.resolve("ref-bf16.jsonl"));
        Files.delete(work.resolve("bench-bf16.json"));
        Run passed = run(List.of("python3", TABLE.toString(), work.toString()));
        assertEquals(0, passed.code(), passed.out());
        assertTrue(passed.out().contains("| check | f16 |\n") && passed.out().endsWith("result: passed\n"), passed.out());
    }

    private static String reference(String model, String dtype, double tolerance, double diff, boolean within, int argmaxEqual,
                                    int allowed, int unallowed, int idsEqual, int generations) {
        return String.format(java.util.Locale.ROOT, "{\"model\":\"%s\",\"device\":\"gpu:0\",\"dtype\":\"%s\",\"tolerance\":%s,"
                        + "\"prompts\":3,\"max_abs_diff\":%s,\"logits_within\":%s,\"argmax_equal\":%d,\"argmax_allowed_misses\":%d,"
                        + "\"argmax_unallowed_misses\":%d,\"generations\":%d,\"ids_equal\":%d,\"windows_equal\":%d}%n",
                model, dtype, tolerance, diff, within, argmaxEqual, allowed, unallowed, generations, idsEqual, generations);
    }

    private static String bench(double gflops, double gbps, double stepMs, double decodeRatio, double prefill, double prefillRatio) {
        return String.format(java.util.Locale.ROOT, "{\"matmul_gflops\":%s,\"stream_gbps\":%s,\"results\":["
                        + "{\"model\":\"nbce-demo\",\"rows\":1,\"decode_step_ms\":1,\"decode_ratio\":9,\"decode_bound_limit\":\"memory\","
                        + "\"prefill_tokens_per_s\":1,\"prefill_ratio\":9,\"prefill_bound_limit\":\"compute\"},"
                        + "{\"model\":\"random Qwen2.5-0.5B shape\",\"rows\":1,\"decode_step_ms\":%s,\"decode_ratio\":%s,"
                        + "\"decode_bound_limit\":\"memory\",\"prefill_tokens_per_s\":%s,\"prefill_ratio\":%s,"
                        + "\"prefill_bound_limit\":\"compute\"}],\"windows\":[]}%n",
                gflops, gbps, stepMs, decodeRatio, prefill, prefillRatio);
    }
}
