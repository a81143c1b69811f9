package dev.nbce.worker.decoder;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.testing.Fixtures;
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
        root.get("forward").forEach(f -> forward.add(new Prompt(Fixtures.ints(f.get("input_ids")),
                Fixtures.floats(f.get("last_logits")), Fixtures.ints(f.get("argmax_per_position")),
                Fixtures.floats(f.get("logit_sum_per_position")))));
        JsonNode inc = root.get("incremental");
        incremental = new Incremental(Fixtures.ints(inc.get("input_ids")), inc.get("prefill").asInt(),
                Fixtures.floats(inc.get("last_logits")));
        root.get("nbce").forEach(n -> {
            List<int[]> rows = new ArrayList<>();
            n.get("row_input_ids").forEach(r -> rows.add(Fixtures.ints(r)));
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
        return new Reference(dir, Fixtures.reference(model)); // Fixtures.JSON reads the -Infinity scores
    }
}
