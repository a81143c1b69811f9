package dev.nbce.common.testing;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference files every module's tests compare against, kept in the repository under
 * {@code common/src/test/resources/fixtures} (copied from {@code ../shared} by {@code bin/refresh-fixtures}),
 * so a clone on its own runs every reference test. Missing fixtures fail the test; they never skip it.
 */
public final class Fixtures {
    /** The fixture folder relative to the repository root. */
    public static final String FIXTURES = "common/src/test/resources/fixtures";
    /** The demo model ships inside the product; tests read that copy rather than a duplicate. */
    public static final String DEMO_MODEL = "launcher/src/main/resources/nbce-demo";

    /** reference.json files hold -Infinity for masked log-probs, which strict JSON forbids. */
    public static final ObjectMapper JSON =
            JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private Fixtures() {
    }

    /** The repository root: the nearest ancestor of the working directory that holds the fixtures. */
    public static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve(FIXTURES))) {
                return dir;
            }
        }
        throw new AssertionError(FIXTURES + " not found above " + Path.of("").toAbsolutePath());
    }

    /** {@code fixtures/<relative>}, which must exist. */
    public static Path file(String relative) {
        Path path = repositoryRoot().resolve(FIXTURES).resolve(relative);
        if (!Files.exists(path)) {
            throw new AssertionError("fixture missing: " + path + " (run bin/refresh-fixtures)");
        }
        return path;
    }

    /** A model directory: {@code tiny-llama}, {@code tiny-llama3}, {@code tiny-qwen3}, {@code tiny-mistral} or {@code nbce-demo}. */
    public static Path model(String name) {
        if (name.equals("nbce-demo")) {
            return repositoryRoot().resolve(DEMO_MODEL);
        }
        return file("models/" + name);
    }

    public static Path tinyLlama() {
        return model("tiny-llama");
    }

    /** A model's {@code reference.json}. */
    public static JsonNode reference(String model) {
        return readJson(model(model).resolve("reference.json"));
    }

    public static JsonNode tinyLlamaReference() {
        return reference("tiny-llama");
    }

    /** The {@code nbce[]} cases of a model's reference (never empty). */
    public static List<JsonNode> nbceCases(String model) {
        List<JsonNode> cases = new ArrayList<>();
        reference(model).get("nbce").forEach(cases::add);
        if (cases.isEmpty()) {
            throw new AssertionError(model + "/reference.json has no nbce cases");
        }
        return cases;
    }

    public static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    public static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    public static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).asDouble();
        }
        return out;
    }
}
