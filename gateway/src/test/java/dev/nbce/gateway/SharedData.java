package dev.nbce.gateway;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Locates ../shared (reference models and data) from a module's working directory. */
public final class SharedData {
    private SharedData() {}

    /** The shared folder; skips the test when absent on a developer machine, fails in CI. */
    public static Path require() {
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 4 && dir != null; i++, dir = dir.getParent()) {
            Path shared = dir.resolve("shared");
            if (Files.isDirectory(shared.resolve("models"))) {
                return shared;
            }
            Path sibling = dir.resolveSibling("shared");
            if (Files.isDirectory(sibling.resolve("models"))) {
                return sibling;
            }
        }
        if (System.getenv("CI") != null) {
            throw new AssertionError("../shared not found beside the clone; CI must provide it");
        }
        Assumptions.abort("../shared not found");
        return null;
    }

    /** tiny-llama's reference.json (it holds -Infinity, which strict JSON forbids). */
    public static com.fasterxml.jackson.databind.JsonNode tinyLlamaReference() throws java.io.IOException {
        return com.fasterxml.jackson.databind.json.JsonMapper.builder()
                .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build()
                .readTree(tinyLlama().resolve("reference.json").toFile());
    }

    public static Path tinyLlama() {
        return require().resolve("models/tiny-llama");
    }
}
