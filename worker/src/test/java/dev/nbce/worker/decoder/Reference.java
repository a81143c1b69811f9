package dev.nbce.worker.decoder;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nbce.common.testing.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** fixtures/models/&lt;model&gt;/reference.json (tiny-llama, tiny-llama3, tiny-qwen3, tiny-mistral), read into plain arrays. */
final class Reference {
    record Prompt(int[] ids, float[] lastLogits, int[] argmaxPerPosition, float[] logitSumPerPosition) {
    }

    record Incremental(int[] ids, int prefill, float[] lastLogits) {
    }

    record NbceCase(String question, List<int[]> rowIds) {
    }

    final Path modelDir;
    final List<Prompt> forward = new ArrayList<>();
    final Incremental incremental;
    final List<NbceCase> nbce = new ArrayList<>();

    private Reference(Path modelDir, JsonNode root) {
        this.modelDir = modelDir;
        root.get("forward").forEach(f -> forward.add(new Prompt(ints(f.get("input_ids")),
                floats(f.get("last_logits")), ints(f.get("argmax_per_position")),
                floats(f.get("logit_sum_per_position")))));
        JsonNode inc = root.get("incremental");
        incremental = new Incremental(ints(inc.get("input_ids")), inc.get("prefill").asInt(),
                floats(inc.get("last_logits")));
        root.get("nbce").forEach(n -> {
            List<int[]> rows = new ArrayList<>();
            n.get("row_input_ids").forEach(r -> rows.add(ints(r)));
            nbce.add(new NbceCase(n.get("question").asText(), rows));
        });
    }

    /** The reference fixtures with logits: the Llama 2 baseline and one model per family feature. */
    static final List<String> MODELS = List.of("tiny-llama", "tiny-llama3", "tiny-qwen3", "tiny-mistral");

    /** Loads tiny-llama's reference from the repository's fixtures. */
    static Reference load() {
        return load("tiny-llama");
    }

    /** Loads a model's reference from the repository's fixtures. */
    static Reference load(String model) {
        Path dir = Fixtures.model(model);
        try {
            // The NBCE cases hold -Infinity scores (masked tokens).
            ObjectMapper json = new ObjectMapper().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS.mappedFeature());
            return new Reference(dir, json.readTree(dir.resolve("reference.json").toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).asDouble();
        }
        return out;
    }
}
