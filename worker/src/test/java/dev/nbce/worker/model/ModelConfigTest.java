package dev.nbce.worker.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ModelConfigTest {

    /** transformers-5 layout, as in shared/models/tiny-llama. */
    static final String TRANSFORMERS5_LLAMA = """
            {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "dtype": "float32",
             "eos_token_id": 2, "head_dim": 16, "hidden_act": "silu", "hidden_size": 64,
             "intermediate_size": 160, "max_position_embeddings": 512, "mlp_bias": false,
             "num_attention_heads": 4, "num_hidden_layers": 2, "num_key_value_heads": 2,
             "rms_norm_eps": 1e-05, "rope_parameters": {"rope_theta": 10000.0, "rope_type": "default"},
             "tie_word_embeddings": false, "vocab_size": 1024}
            """;

    /** Classic hub layout, as in the nbce-demo model. */
    static final String CLASSIC_QWEN2 = """
            {"architectures": ["Qwen2ForCausalLM"], "eos_token_id": 2, "hidden_act": "silu",
             "hidden_size": 256, "intermediate_size": 768, "max_position_embeddings": 256,
             "num_attention_heads": 8, "num_hidden_layers": 4, "num_key_value_heads": 2,
             "rms_norm_eps": 1e-06, "rope_scaling": null, "rope_theta": 500000.0,
             "sliding_window": 4096, "use_sliding_window": false, "tie_word_embeddings": true,
             "torch_dtype": "bfloat16", "vocab_size": 1024}
            """;

    @Test
    void parsesTransformers5Layout() {
        ModelConfig c = ModelConfig.parse(TRANSFORMERS5_LLAMA, null, "config.json");
        assertEquals(new ModelConfig(Architecture.LLAMA, 64, 160, 2, 4, 2, 16, 1024, 512, 1e-5, 10000.0,
                false, false, List.of(2)), c);
        assertEquals(2, c.groupSize());
    }

    @Test
    void parsesClassicLayoutWithQwen2BiasesAndDerivedHeadDim() {
        ModelConfig c = ModelConfig.parse(CLASSIC_QWEN2, "{\"eos_token_id\": [7, 2]}", "config.json");
        assertEquals(Architecture.QWEN2, c.architecture());
        assertEquals(32, c.headDim(), "hidden / heads when head_dim is absent");
        assertEquals(RopeScaling.plain(500000.0), c.rope());
        assertEquals(List.of(0, 0, 0, 0), c.layerWindows(), "use_sliding_window false: sliding_window ignored");
        assertTrue(c.tieWordEmbeddings());
        assertTrue(c.attentionBias(), "Qwen2 always has q/k/v biases");
        assertEquals(List.of(2, 7), c.eosTokenIds(), "config.json first, then generation_config, no duplicates");
    }

    @Test
    void readsTheEmbeddedDemoModelDirectory() {
        ModelConfig c = ModelConfig.fromDirectory(TestModels.embeddedDemo());
        assertEquals(new ModelConfig(Architecture.QWEN2, 256, 768, 4, 8, 2, 32, 1024, 256, 1e-6, 10000.0,
                true, true, List.of(2)), c);
    }

    @Test
    void llamaAttentionBiasFlagAndMistral() {
        String withBias = TRANSFORMERS5_LLAMA.replace("\"attention_bias\": false", "\"attention_bias\": true");
        assertTrue(ModelConfig.parse(withBias, null, "config.json").attentionBias());
        String mistral = CLASSIC_QWEN2.replace("Qwen2ForCausalLM", "MistralForCausalLM");
        ModelConfig m = ModelConfig.parse(mistral, null, "config.json");
        assertEquals(Architecture.MISTRAL, m.architecture());
        assertFalse(m.attentionBias());
    }

    @Test
    void rejectsUnsupportedArchitectureNamingFileAndValue() {
        String gpt2 = CLASSIC_QWEN2.replace("Qwen2ForCausalLM", "GPT2LMHeadModel");
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> ModelConfig.parse(gpt2, null, "/models/x/config.json"));
        assertTrue(e.getMessage().contains("/models/x/config.json"), e.getMessage());
        assertTrue(e.getMessage().contains("GPT2LMHeadModel") && e.getMessage().contains("architectures"), e.getMessage());
    }

    @Test
    void readsLlama3AndLinearRopeFromBothLayoutsAndBothTypeKeys() {
        RopeScaling llama3 = RopeScaling.llama3(10000.0, 8.0, 1.0, 4.0, 32);
        // Classic: rope_scaling with rope_type, theta at top level (tiny-llama3's own config).
        assertEquals(llama3, ModelConfig.fromDirectory(dev.nbce.common.testing.Fixtures.model("tiny-llama3")).rope());
        // transformers 5: rope_parameters holds theta and the type.
        String t5 = TRANSFORMERS5_LLAMA.replace("{\"rope_theta\": 10000.0, \"rope_type\": \"default\"}",
                "{\"rope_theta\": 500000.0, \"rope_type\": \"llama3\", \"factor\": 8.0, \"low_freq_factor\": 1.0,"
                        + " \"high_freq_factor\": 4.0, \"original_max_position_embeddings\": 8192}");
        assertEquals(RopeScaling.llama3(500000.0, 8.0, 1.0, 4.0, 8192), ModelConfig.parse(t5, null, "config.json").rope());
        // Legacy "type" key; a missing original_max_position_embeddings means max_position_embeddings.
        String legacy = CLASSIC_QWEN2.replace("\"rope_scaling\": null",
                "\"rope_scaling\": {\"type\": \"llama3\", \"factor\": 4.0, \"low_freq_factor\": 2.0, \"high_freq_factor\": 8.0}");
        assertEquals(RopeScaling.llama3(500000.0, 4.0, 2.0, 8.0, 256), ModelConfig.parse(legacy, null, "config.json").rope());

        String linearLegacy = CLASSIC_QWEN2.replace("\"rope_scaling\": null",
                "\"rope_scaling\": {\"factor\": 2.0, \"type\": \"linear\"}");
        assertEquals(RopeScaling.linear(500000.0, 2.0), ModelConfig.parse(linearLegacy, null, "config.json").rope());
        String linearT5 = TRANSFORMERS5_LLAMA.replace("\"rope_type\": \"default\"", "\"rope_type\": \"linear\", \"factor\": 4.0");
        assertEquals(RopeScaling.linear(10000.0, 4.0), ModelConfig.parse(linearT5, null, "config.json").rope());
        // No dict and no top-level theta: 10000.
        String bare = CLASSIC_QWEN2.replace("\"rope_theta\": 500000.0,", "");
        assertEquals(RopeScaling.plain(10000.0), ModelConfig.parse(bare, null, "config.json").rope());
    }

    @Test
    void rejectsOtherRopeTypesAndPartialRotaryNamingTheField() {
        for (String type : List.of("dynamic", "yarn", "longrope", "su", "mrope")) {
            String classic = CLASSIC_QWEN2.replace("\"rope_scaling\": null",
                    "\"rope_scaling\": {\"factor\": 8.0, \"rope_type\": \"" + type + "\"}");
            ModelFormatException e = assertThrows(ModelFormatException.class,
                    () -> ModelConfig.parse(classic, null, "/m/config.json"));
            assertTrue(e.getMessage().contains(type) && e.getMessage().contains("rope_scaling")
                    && e.getMessage().contains("/m/config.json"), e.getMessage());
            String t5 = TRANSFORMERS5_LLAMA.replace("\"rope_type\": \"default\"", "\"rope_type\": \"" + type + "\"");
            e = assertThrows(ModelFormatException.class, () -> ModelConfig.parse(t5, null, "config.json"));
            assertTrue(e.getMessage().contains(type) && e.getMessage().contains("rope_parameters"), e.getMessage());
        }
        String partial = TRANSFORMERS5_LLAMA.replace("\"rope_type\": \"default\"",
                "\"rope_type\": \"default\", \"partial_rotary_factor\": 0.5");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelConfig.parse(partial, null, "config.json"));
        assertTrue(e.getMessage().contains("partial_rotary_factor"), e.getMessage());
        String topLevel = CLASSIC_QWEN2.replace("\"rope_scaling\": null", "\"rope_scaling\": null, \"partial_rotary_factor\": 0.25");
        e = assertThrows(ModelFormatException.class, () -> ModelConfig.parse(topLevel, null, "config.json"));
        assertTrue(e.getMessage().contains("partial_rotary_factor"), e.getMessage());
        String noFactor = CLASSIC_QWEN2.replace("\"rope_scaling\": null", "\"rope_scaling\": {\"rope_type\": \"linear\"}");
        e = assertThrows(ModelFormatException.class, () -> ModelConfig.parse(noFactor, null, "config.json"));
        assertTrue(e.getMessage().contains("rope_scaling.factor"), e.getMessage());
        String one = TRANSFORMERS5_LLAMA.replace("\"rope_type\": \"default\"",
                "\"rope_type\": \"default\", \"partial_rotary_factor\": 1.0");
        assertEquals(RopeScaling.plain(10000.0), ModelConfig.parse(one, null, "config.json").rope());
    }

    @Test
    void qwen3HasQkNormsExplicitHeadDimAndNoBias() {
        ModelConfig c = ModelConfig.fromDirectory(dev.nbce.common.testing.Fixtures.model("tiny-qwen3"));
        assertEquals(Architecture.QWEN3, c.architecture());
        assertEquals(32, c.headDim(), "head_dim 32, not hidden / heads = 16");
        assertTrue(c.qkNorm());
        assertFalse(c.attentionBias());
        assertTrue(c.tieWordEmbeddings());
        assertEquals(RopeScaling.plain(1_000_000.0), c.rope());
        assertEquals(List.of(0, 0), c.layerWindows());
        String nullHeadDim = TRANSFORMERS5_LLAMA.replace("\"head_dim\": 16", "\"head_dim\": null")
                .replace("\"hidden_size\": 64", "\"hidden_size\": 128");
        assertEquals(32, ModelConfig.parse(nullHeadDim, null, "config.json").headDim(), "null head_dim: hidden / heads");
    }

    @Test
    void slidingWindowsPerFamily() {
        ModelConfig mistral = ModelConfig.fromDirectory(dev.nbce.common.testing.Fixtures.model("tiny-mistral"));
        assertEquals(List.of(16, 16), mistral.layerWindows(), "Mistral: every layer");
        String noWindow = CLASSIC_QWEN2.replace("Qwen2ForCausalLM", "MistralForCausalLM")
                .replace("\"sliding_window\": 4096", "\"sliding_window\": null");
        assertEquals(List.of(0, 0, 0, 0), ModelConfig.parse(noWindow, null, "c").layerWindows());

        String qwen3 = CLASSIC_QWEN2.replace("Qwen2ForCausalLM", "Qwen3ForCausalLM");
        assertEquals(List.of(0, 0, 0, 0), ModelConfig.parse(qwen3, null, "c").layerWindows(), "use_sliding_window false");
        String on = qwen3.replace("\"use_sliding_window\": false", "\"use_sliding_window\": true, \"max_window_layers\": 2");
        assertEquals(List.of(0, 0, 4096, 4096), ModelConfig.parse(on, null, "c").layerWindows(), "layers >= max_window_layers");
        assertEquals(List.of(0, 0, 0, 0), ModelConfig.parse(qwen3.replace("\"use_sliding_window\": false",
                "\"use_sliding_window\": true"), null, "c").layerWindows(), "default max_window_layers 28");
        String typed = on.replace("\"max_window_layers\": 2", "\"layer_types\": [\"sliding_attention\", \"full_attention\","
                + " \"sliding_attention\", \"full_attention\"]");
        assertEquals(List.of(4096, 0, 4096, 0), ModelConfig.parse(typed, null, "c").layerWindows(), "layer_types decide");
        String typedOff = typed.replace("\"use_sliding_window\": true", "\"use_sliding_window\": false");
        assertEquals(List.of(0, 0, 0, 0), ModelConfig.parse(typedOff, null, "c").layerWindows());
        String llama = CLASSIC_QWEN2.replace("Qwen2ForCausalLM", "LlamaForCausalLM");
        assertEquals(List.of(0, 0, 0, 0), ModelConfig.parse(llama, null, "c").layerWindows());
    }

    @Test
    void rejectsMissingFieldAndInconsistentShape() {
        String noHidden = CLASSIC_QWEN2.replace("\"hidden_size\": 256,", "");
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> ModelConfig.parse(noHidden, null, "config.json"));
        assertTrue(e.getMessage().contains("hidden_size"), e.getMessage());

        String badGroups = CLASSIC_QWEN2.replace("\"num_key_value_heads\": 2", "\"num_key_value_heads\": 3");
        e = assertThrows(ModelFormatException.class, () -> ModelConfig.parse(badGroups, null, "config.json"));
        assertTrue(e.getMessage().contains("kvHeads"), e.getMessage());
    }

    @Test
    void qwen25ShapeFactory() {
        ModelConfig c = ModelConfig.qwen25_05b();
        assertEquals(896, c.hidden());
        assertEquals(7, c.groupSize());
        assertEquals(64, c.headDim());
        assertTrue(c.tieWordEmbeddings() && c.attentionBias());
    }
}
