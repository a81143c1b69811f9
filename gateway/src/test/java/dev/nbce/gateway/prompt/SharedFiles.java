package dev.nbce.gateway.prompt;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Locates {@code ../shared} (next to the repository root) and reads its reference files; skips when absent. */
final class SharedFiles {

    /** reference.json holds -Infinity for masked log-probs. */
    static final ObjectMapper JSON =
            JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private SharedFiles() {}

    /** The shared folder, or a skipped test when this checkout has none nearby. */
    static Path shared() {
        Path dir = Path.of("").toAbsolutePath();
        for (; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared");
            if (Files.isDirectory(candidate.resolve("models"))) {
                return candidate;
            }
        }
        assumeTrue(false, "../shared not found: reference tests skipped");
        throw new AssertionError("unreachable");
    }

    static Path model(String name) {
        Path dir = shared().resolve("models").resolve(name);
        assumeTrue(Files.isDirectory(dir), dir + " absent");
        return dir;
    }

    /** {@code nbce[]} of tiny-llama's reference.json. */
    static List<JsonNode> nbceCases() throws IOException {
        JsonNode root = JSON.readTree(model("tiny-llama").resolve("reference.json").toFile());
        List<JsonNode> cases = new ArrayList<>();
        root.get("nbce").forEach(cases::add);
        assumeTrue(!cases.isEmpty(), "reference.json has no nbce cases");
        return cases;
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
