package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.gateway.request.GenerationResult;
import dev.nbce.gateway.request.Json;
import dev.nbce.gateway.service.GatewayLimits;
import dev.nbce.gateway.session.SessionListener;
import dev.nbce.launcher.local.LocalRuntime;
import dev.nbce.worker.decoder.DecoderOptions;
import dev.nbce.worker.decoder.LlamaDecoder;
import dev.nbce.worker.decoder.RowCache;
import dev.nbce.worker.model.DeviceSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The reference fixtures on another device and dtype, for {@code deploy/gpu/check.sh}: not part of
 * the suite (the name does not end in Test); run it as
 * {@code mvn -o -pl launcher -am test -Dtest=GpuReferenceCheck -Dsurefire.failIfNoSpecifiedTests=false
 * -Dnbce.check.device=gpu -Dnbce.check.dtype=f16 -Dnbce.check.out=FILE}.
 *
 * <p>Per fixture model it writes one JSON line to {@code nbce.check.out} (appended): the last-position
 * logits of every reference prompt and of the incremental prompt against the reference's (max |diff|,
 * its allowance {@link #tolerance} x max(1, max |reference logit|)), the argmax there (a miss is allowed
 * where the reference's top two are closer than twice the allowance), and every NBCE reference case
 * through the whole algorithm in one process (ids and windows equal or not). It then fails if a logit
 * is outside its allowance, an argmax missed where it was not allowed, or, in F32, any generation
 * differs; in F16/BF16 a generation may part from the reference at a near tie, so those are counted,
 * not failed.
 */
class GpuReferenceCheck {
    static final List<String> MODELS = List.of("tiny-llama", "tiny-llama3", "tiny-qwen3", "tiny-mistral");

    /** Allowed max |logit diff| per unit of the reference's largest |logit| (at least 1): f32 as ReferenceLogitsTest. */
    static double tolerance(String dtype) {
        return switch (dtype) {
            case "f32" -> 1e-4;
            case "f16" -> 1e-2;
            case "bf16" -> 5e-2;
            default -> throw new IllegalArgumentException("dtype must be f32, f16 or bf16, got " + dtype);
        };
    }

    @Test
    void referencesOnTheGivenDeviceAndDtype() throws IOException {
        String device = System.getProperty("nbce.check.device", "cpu");
        String dtype = System.getProperty("nbce.check.dtype", "f32");
        Path out = Path.of(System.getProperty("nbce.check.out", "target/gpu-reference-check.jsonl"));
        DecoderOptions options = DecoderOptions.DEFAULT.withPrecision(DecoderOptions.Precision.parse(dtype))
                .withPrefillChunkTokens(512);
        StringBuilder failures = new StringBuilder();
        for (String model : MODELS) {
            ObjectNode line = check(model, DeviceSpec.parse(device), dtype, options);
            Files.writeString(out, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            if (!line.get("logits_within").asBoolean() || line.get("argmax_unallowed_misses").asInt() > 0
                    || (dtype.equals("f32") && line.get("ids_equal").asInt() < line.get("generations").asInt())) {
                failures.append(line).append('\n');
            }
        }
        assertTrue(failures.isEmpty(), "outside the reference on " + device + " " + dtype + ":\n" + failures);
    }

    static ObjectNode check(String model, DeviceSpec device, String dtype, DecoderOptions options) {
        JsonNode reference = Fixtures.reference(model);
        double tolerance = tolerance(dtype);
        ObjectNode line = Json.MAPPER.createObjectNode().put("model", model).put("device", device.toString()).put("dtype", dtype)
                .put("tolerance", tolerance);
        double worst = 0;
        int argmaxEqual = 0;
        int allowedMisses = 0;
        int unallowedMisses = 0;
        int prompts = 0;
        boolean within = true;
        try (LlamaDecoder decoder = LlamaDecoder.load(Fixtures.model(model), device, options)) {
            for (JsonNode prompt : reference.get("forward")) {
                Compared c = compare(Fixtures.floats(prompt.get("last_logits")),
                        lastLogits(decoder, Fixtures.ints(prompt.get("input_ids")), 0), tolerance);
                worst = Math.max(worst, c.maxAbsDiff());
                within &= c.within();
                prompts++;
                if (c.argmaxEqual()) {
                    argmaxEqual++;
                } else if (c.missAllowed()) {
                    allowedMisses++;
                } else {
                    unallowedMisses++;
                }
            }
            // The incremental prompt: a prefill, then one token per forward through the cache.
            JsonNode inc = reference.get("incremental");
            Compared i = compare(Fixtures.floats(inc.get("last_logits")),
                    lastLogits(decoder, Fixtures.ints(inc.get("input_ids")), inc.get("prefill").asInt()), tolerance);
            worst = Math.max(worst, i.maxAbsDiff());
            within &= i.within();
        }
        line.put("prompts", prompts).put("max_abs_diff", worst).put("logits_within", within)
                .put("argmax_equal", argmaxEqual).put("argmax_allowed_misses", allowedMisses)
                .put("argmax_unallowed_misses", unallowedMisses);
        List<JsonNode> cases = Fixtures.nbceCases(model);
        int idsEqual = 0;
        int windowsEqual = 0;
        try (LocalRuntime runtime = new LocalRuntime(Fixtures.model(model), device, options, 1, GatewayLimits.DEFAULT)) {
            for (JsonNode c : cases) {
                GenerationResult result = runtime.generate(ReferenceGenerationTest.requestOf(c), SessionListener.NONE);
                idsEqual += Arrays.equals(Fixtures.ints(c.get("generated_ids")), result.tokenIds()) ? 1 : 0;
                windowsEqual += Arrays.equals(ReferenceGenerationTest.expectedWindows(c), result.selectedWindows()) ? 1 : 0;
            }
        } catch (Exception e) {
            throw new IllegalStateException(model + ": " + e.getMessage(), e);
        }
        return line.put("generations", cases.size()).put("ids_equal", idsEqual).put("windows_equal", windowsEqual);
    }

    /** The logits after {@code ids}: prefilled at once, or the first {@code prefill} then one token per forward. */
    private static float[] lastLogits(LlamaDecoder decoder, int[] ids, int prefill) {
        try (RowCache row = decoder.newRow()) {
            if (prefill <= 0) {
                return decoder.forward(List.of(row), List.of(ids))[0];
            }
            float[] last = decoder.forward(List.of(row), List.of(Arrays.copyOf(ids, prefill)))[0];
            for (int i = prefill; i < ids.length; i++) {
                last = decoder.forward(List.of(row), List.of(new int[] {ids[i]}))[0];
            }
            return last;
        }
    }

    /**
     * One prompt's last logits against the reference's: the allowance is {@code tolerance} x max(1,
     * max |reference|); an argmax miss is allowed where the reference's top two differ by at most
     * twice the allowance (either may come first within it).
     */
    record Compared(double maxAbsDiff, boolean within, boolean argmaxEqual, boolean missAllowed) {
    }

    static Compared compare(float[] expected, float[] actual, double tolerance) {
        double scale = 1;
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            worst = Math.max(worst, Math.abs((double) expected[i] - actual[i]));
        }
        double allowance = tolerance * scale;
        int top = argmax(expected);
        int got = argmax(actual);
        double second = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < expected.length; i++) {
            if (i != top) {
                second = Math.max(second, expected[i]);
            }
        }
        return new Compared(worst, worst <= allowance, top == got, top != got && expected[top] - second <= 2 * allowance);
    }

    private static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }
}
