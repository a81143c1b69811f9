package dev.nbce.worker.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The shape and numerics of a Llama-family decoder, read from a hub {@code config.json}.
 *
 * <p>Both config layouts are understood: the classic one ({@code rope_theta}, {@code rope_scaling},
 * {@code torch_dtype} at top level) and the transformers-5 one ({@code rope_parameters: {rope_theta,
 * rope_type}}, {@code dtype}). Sliding-window settings are ignored: rows never exceed the trained
 * context, so full attention is exact for them.
 *
 * @param attentionBias whether q/k/v projections carry a bias (always for Qwen2; Llama's
 *     {@code attention_bias} flag; the o projection never has one in these families)
 * @param eosTokenIds end-of-sequence ids from config.json and generation_config.json, in that order
 */
public record ModelConfig(
        Architecture architecture,
        int hidden,
        int intermediate,
        int layers,
        int heads,
        int kvHeads,
        int headDim,
        int vocab,
        int maxPositions,
        double rmsNormEps,
        double ropeTheta,
        boolean tieWordEmbeddings,
        boolean attentionBias,
        List<Integer> eosTokenIds) {

    public static final String CONFIG_FILE = "config.json";
    public static final String GENERATION_CONFIG_FILE = "generation_config.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    public ModelConfig {
        if (architecture == null) {
            throw new IllegalArgumentException("architecture is required");
        }
        requirePositive("hidden", hidden);
        requirePositive("intermediate", intermediate);
        requirePositive("layers", layers);
        requirePositive("heads", heads);
        requirePositive("kvHeads", kvHeads);
        requirePositive("headDim", headDim);
        requirePositive("vocab", vocab);
        requirePositive("maxPositions", maxPositions);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException(
                    "heads (" + heads + ") must be a multiple of kvHeads (" + kvHeads + ")");
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("headDim must be even for RoPE, got " + headDim);
        }
        if (!(rmsNormEps > 0) || !(ropeTheta > 0)) {
            throw new IllegalArgumentException(
                    "rmsNormEps and ropeTheta must be positive, got " + rmsNormEps + ", " + ropeTheta);
        }
        eosTokenIds = List.copyOf(eosTokenIds);
        for (int id : eosTokenIds) {
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("eos id " + id + " outside vocabulary of " + vocab);
            }
        }
    }

    /** Query heads that share one key/value head (GQA group size). */
    public int groupSize() {
        return heads / kvHeads;
    }

    /**
     * The shape of Qwen2.5-0.5B (hidden 896, 24 layers, 14 query / 2 KV heads, tied embeddings,
     * q/k/v biases), for benchmarks on random weights.
     */
    public static ModelConfig qwen25_05b() {
        return new ModelConfig(Architecture.QWEN2, 896, 4864, 24, 14, 2, 64, 151936, 32768,
                1e-6, 1_000_000.0, true, true, List.of(151645, 151643));
    }

    /** Reads {@code config.json} and, when present, {@code generation_config.json} from a model directory. */
    public static ModelConfig fromDirectory(Path modelDir) {
        Path config = modelDir.resolve(CONFIG_FILE);
        Path generation = modelDir.resolve(GENERATION_CONFIG_FILE);
        try {
            String generationJson = Files.exists(generation) ? Files.readString(generation) : null;
            return parse(Files.readString(config), generationJson, config.toString());
        } catch (IOException e) {
            throw new ModelFormatException("cannot read " + config + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses config.json text; {@code generationConfigJson} may be null. {@code source} names the
     * file in error messages.
     */
    public static ModelConfig parse(String configJson, String generationConfigJson, String source) {
        JsonNode root = readTree(configJson, source);
        ConfigReader c = new ConfigReader(root, source);

        Architecture architecture = c.architecture();
        if (!c.text("hidden_act", "silu").equals("silu")) {
            throw c.error("unsupported hidden_act '" + c.text("hidden_act", "") + "' (only silu)");
        }
        if (c.bool("mlp_bias", false)) {
            throw c.error("mlp_bias=true is not supported");
        }
        c.requireDefaultRope();

        int hidden = c.integer("hidden_size");
        int heads = c.integer("num_attention_heads");
        int kvHeads = c.optionalInteger("num_key_value_heads", heads);
        int headDim = c.optionalInteger("head_dim", hidden / heads);
        boolean bias = architecture == Architecture.QWEN2 || c.bool("attention_bias", false);

        Set<Integer> eos = new LinkedHashSet<>(c.ids("eos_token_id"));
        if (generationConfigJson != null) {
            eos.addAll(new ConfigReader(readTree(generationConfigJson, source), source).ids("eos_token_id"));
        }
        try {
            return new ModelConfig(architecture, hidden, c.integer("intermediate_size"),
                    c.integer("num_hidden_layers"), heads, kvHeads, headDim, c.integer("vocab_size"),
                    c.integer("max_position_embeddings"), c.number("rms_norm_eps"), c.ropeTheta(),
                    c.bool("tie_word_embeddings", false), bias, new ArrayList<>(eos));
        } catch (IllegalArgumentException e) {
            throw c.error(e.getMessage());
        }
    }

    private static JsonNode readTree(String json, String source) {
        try {
            JsonNode node = JSON.readTree(json);
            if (node == null || !node.isObject()) {
                throw new ModelFormatException(source + ": expected a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new ModelFormatException(source + ": invalid JSON: " + e.getMessage(), e);
        }
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }

    /** Field access with errors that name the file and the field. */
    private record ConfigReader(JsonNode root, String source) {

        ModelFormatException error(String message) {
            return new ModelFormatException(source + ": " + message);
        }

        Architecture architecture() {
            JsonNode list = root.path("architectures");
            if (!list.isArray() || list.isEmpty()) {
                throw error("missing 'architectures'");
            }
            String name = list.get(0).asText();
            return Architecture.fromHubName(name).orElseThrow(() -> error(
                    "unsupported architecture '" + name + "' (supported: LlamaForCausalLM, "
                            + "Qwen2ForCausalLM, MistralForCausalLM)"));
        }

        /**
         * Only plain RoPE is implemented; scaled variants (llama3, yarn, linear, dynamic...) change
         * the frequencies and would silently give wrong logits.
         */
        void requireDefaultRope() {
            for (String field : List.of("rope_parameters", "rope_scaling")) {
                JsonNode rope = root.path(field);
                if (rope.isMissingNode() || rope.isNull()) {
                    continue;
                }
                String type = rope.hasNonNull("rope_type") ? rope.get("rope_type").asText()
                        : rope.hasNonNull("type") ? rope.get("type").asText() : "default";
                if (!type.equals("default")) {
                    throw error("unsupported rope type '" + type + "' in " + field
                            + " (only default RoPE is supported)");
                }
                if (rope.hasNonNull("partial_rotary_factor")
                        && rope.get("partial_rotary_factor").asDouble() != 1.0) {
                    throw error("partial_rotary_factor other than 1 is not supported");
                }
            }
        }

        double ropeTheta() {
            JsonNode params = root.path("rope_parameters");
            if (params.hasNonNull("rope_theta")) {
                return params.get("rope_theta").asDouble();
            }
            return root.hasNonNull("rope_theta") ? root.get("rope_theta").asDouble() : 10_000.0;
        }

        int integer(String field) {
            JsonNode node = root.get(field);
            if (node == null || !node.canConvertToInt()) {
                throw error("missing or non-integer '" + field + "'");
            }
            return node.intValue();
        }

        int optionalInteger(String field, int fallback) {
            return root.hasNonNull(field) ? integer(field) : fallback;
        }

        double number(String field) {
            JsonNode node = root.get(field);
            if (node == null || !node.isNumber()) {
                throw error("missing or non-numeric '" + field + "'");
            }
            return node.doubleValue();
        }

        boolean bool(String field, boolean fallback) {
            return root.hasNonNull(field) ? root.get(field).asBoolean() : fallback;
        }

        String text(String field, String fallback) {
            return root.hasNonNull(field) ? root.get(field).asText() : fallback;
        }

        /** An id field that may be absent, null, an int or a list of ints. */
        List<Integer> ids(String field) {
            JsonNode node = root.path(field);
            List<Integer> ids = new ArrayList<>();
            if (node.canConvertToInt()) {
                ids.add(node.intValue());
            } else if (node.isArray()) {
                node.forEach(n -> {
                    if (!n.canConvertToInt()) {
                        throw error("'" + field + "' must hold integers, got " + n);
                    }
                    ids.add(n.intValue());
                });
            } else if (!node.isMissingNode() && !node.isNull()) {
                throw error("'" + field + "' must be an integer or a list, got " + node);
            }
            return ids;
        }
    }
}
