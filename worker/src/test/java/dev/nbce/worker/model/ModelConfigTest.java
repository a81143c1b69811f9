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
        assertEquals(500000.0, c.ropeTheta());
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
        assertTrue(e.getMessage().contains("GPT2LMHeadModel"), e.getMessage());
    }

    @Test
    void rejectsScaledRopeInBothLayouts() {
        String llama3 = CLASSIC_QWEN2.replace("\"rope_scaling\": null",
                "\"rope_scaling\": {\"factor\": 8.0, \"rope_type\": \"llama3\"}");
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> ModelConfig.parse(llama3, null, "config.json"));
        assertTrue(e.getMessage().contains("llama3") && e.getMessage().contains("config.json"), e.getMessage());

        String yarn = TRANSFORMERS5_LLAMA.replace("\"rope_type\": \"default\"", "\"rope_type\": \"yarn\"");
        e = assertThrows(ModelFormatException.class, () -> ModelConfig.parse(yarn, null, "config.json"));
        assertTrue(e.getMessage().contains("yarn"), e.getMessage());

        String legacyKey = CLASSIC_QWEN2.replace("\"rope_scaling\": null",
                "\"rope_scaling\": {\"factor\": 2.0, \"type\": \"linear\"}");
        e = assertThrows(ModelFormatException.class, () -> ModelConfig.parse(legacyKey, null, "config.json"));
        assertTrue(e.getMessage().contains("linear"), e.getMessage());
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
