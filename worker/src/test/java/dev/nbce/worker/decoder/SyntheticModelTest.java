package dev.nbce.worker.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.worker.model.DeviceSpec;
import dev.nbce.worker.model.ModelFormatException;
import dev.nbce.worker.model.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading whole model directories written here: a valid one, and each way one can be broken. */
class SyntheticModelTest {
    private static final String CONFIG = """
            {"architectures": ["Qwen2ForCausalLM"], "hidden_size": 8, "intermediate_size": 16,
             "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 1,
             "vocab_size": 16, "max_position_embeddings": 32, "rms_norm_eps": 1e-6,
             "rope_theta": 10000.0, "rope_scaling": null, "tie_word_embeddings": false,
             "torch_dtype": "float32", "eos_token_id": 1}
            """;

    @TempDir
    Path dir;

    /** Tensor name -> shape of the CONFIG model (head dim 4, q 8 rows, k/v 4 rows each). */
    private static Map<String, long[]> tensors() {
        Map<String, long[]> t = new LinkedHashMap<>();
        t.put("model.embed_tokens.weight", new long[] {16, 8});
        String p = "model.layers.0.";
        t.put(p + "input_layernorm.weight", new long[] {8});
        t.put(p + "self_attn.q_proj.weight", new long[] {8, 8});
        t.put(p + "self_attn.q_proj.bias", new long[] {8});
        t.put(p + "self_attn.k_proj.weight", new long[] {4, 8});
        t.put(p + "self_attn.k_proj.bias", new long[] {4});
        t.put(p + "self_attn.v_proj.weight", new long[] {4, 8});
        t.put(p + "self_attn.v_proj.bias", new long[] {4});
        t.put(p + "self_attn.o_proj.weight", new long[] {8, 8});
        t.put(p + "post_attention_layernorm.weight", new long[] {8});
        t.put(p + "mlp.gate_proj.weight", new long[] {16, 8});
        t.put(p + "mlp.up_proj.weight", new long[] {16, 8});
        t.put(p + "mlp.down_proj.weight", new long[] {8, 16});
        t.put("model.norm.weight", new long[] {8});
        t.put("lm_head.weight", new long[] {16, 8});
        return t;
    }

    private Path writeModel(String config, Consumer<Map<String, long[]>> edit, int truncateBytes) throws IOException {
        Map<String, long[]> shapes = tensors();
        edit.accept(shapes);
        Random random = new Random(1);
        SafetensorsWriter writer = new SafetensorsWriter();
        shapes.forEach((name, shape) -> {
            int n = 1;
            for (long d : shape) {
                n *= (int) d;
            }
            float[] values = new float[n];
            for (int i = 0; i < n; i++) {
                values[i] = (float) random.nextGaussian() * 0.5f;
            }
            writer.f32(name, shape, values);
        });
        writer.write(dir.resolve("model.safetensors"), truncateBytes);
        Files.writeString(dir.resolve("config.json"), config);
        return dir;
    }

    @Test
    void aValidDirectoryLoadsAndDecodes() throws IOException {
        try (LlamaDecoder decoder = LlamaDecoder.load(writeModel(CONFIG, s -> { }, 0), DeviceSpec.cpu());
             RowCache row = decoder.newRow()) {
            float[] logits = decoder.forward(java.util.List.of(row), java.util.List.of(new int[] {3, 4, 5}))[0];
            assertEquals(16, logits.length);
            for (float v : logits) {
                assertTrue(Float.isFinite(v));
            }
        }
    }

    @Test
    void unsupportedArchitectureAndRopeAreNamed() throws IOException {
        Path model = writeModel(CONFIG.replace("Qwen2ForCausalLM", "PhiForCausalLM"), s -> { }, 0);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> LlamaDecoder.load(model, DeviceSpec.cpu()));
        assertTrue(e.getMessage().contains("PhiForCausalLM") && e.getMessage().contains("config.json"), e.getMessage());

        Files.writeString(model.resolve("config.json"), CONFIG.replace("\"rope_scaling\": null",
                "\"rope_scaling\": {\"rope_type\": \"dynamic\", \"factor\": 2.0}"));
        e = assertThrows(ModelFormatException.class, () -> LlamaDecoder.load(model, DeviceSpec.cpu()));
        assertTrue(e.getMessage().contains("dynamic"), e.getMessage());
    }

    @Test
    void missingTensorIsNamed() throws IOException {
        Path model = writeModel(CONFIG, s -> s.remove("model.layers.0.self_attn.v_proj.bias"), 0);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> LlamaDecoder.load(model, DeviceSpec.cpu()));
        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
        assertTrue(e.getMessage().contains("model.layers.0.self_attn.v_proj.bias"), e.getMessage());
    }

    @Test
    void wrongShapeIsNamedWithBothShapes() throws IOException {
        Path model = writeModel(CONFIG, s -> s.put("model.layers.0.mlp.down_proj.weight", new long[] {16, 8}), 0);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> LlamaDecoder.load(model, DeviceSpec.cpu()));
        assertTrue(e.getMessage().contains("model.layers.0.mlp.down_proj.weight"), e.getMessage());
        assertTrue(e.getMessage().contains("(16, 8)") && e.getMessage().contains("(8, 16)"), e.getMessage());
    }

    @Test
    void truncatedCheckpointIsNamed() throws IOException {
        Path model = writeModel(CONFIG, s -> { }, 10);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> LlamaDecoder.load(model, DeviceSpec.cpu()));
        assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(e.getMessage().contains("lm_head.weight"), e.getMessage());
    }

    @Test
    void tiedHeadIgnoresAMissingLmHead() throws IOException {
        Path model = writeModel(CONFIG.replace("\"tie_word_embeddings\": false", "\"tie_word_embeddings\": true"),
                s -> s.remove("lm_head.weight"), 0);
        try (LlamaDecoder decoder = LlamaDecoder.load(model, DeviceSpec.cpu());
             RowCache a = decoder.newRow(); RowCache b = decoder.newRow()) {
            float[] first = decoder.forward(java.util.List.of(a), java.util.List.of(new int[] {7}))[0];
            float[] again = decoder.forward(java.util.List.of(b), java.util.List.of(new int[] {7}))[0];
            assertArrayEquals(first, again);
        }
    }
}
