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
 * rope_type}}, {@code dtype}). Rope types, head_dim, Qwen3's q/k norms and sliding windows follow
 * Hugging Face's rules (see {@code fixtures/models/FAMILIES.md}); anything that would change the
 * math in a way not implemented here is a load error naming the field.
 *
 * @param rope how RoPE frequencies are derived (default, linear or llama3)
 * @param attentionBias whether q/k/v projections carry a bias (always for Qwen2; the
 *     {@code attention_bias} flag otherwise; the o projection never has one in these families)
 * @param qkNorm whether each query and key head is RMS-normalised before RoPE (Qwen3)
 * @param layerWindows per layer, the sliding attention window W (a query sees the W keys
 *     {@code 0 <= i - j < W}), or 0 for full causal attention
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
        RopeScaling rope,
        boolean tieWordEmbeddings,
        boolean attentionBias,
        boolean qkNorm,
        List<Integer> layerWindows,
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
        if (!(rmsNormEps > 0)) {
            throw new IllegalArgumentException("rmsNormEps must be positive, got " + rmsNormEps);
        }
        if (rope == null) {
            throw new IllegalArgumentException("rope is required");
        }
        layerWindows = List.copyOf(layerWindows);
        if (layerWindows.size() != layers || layerWindows.stream().anyMatch(w -> w < 0)) {
            throw new IllegalArgumentException("need one window >= 0 per layer, got " + layerWindows);
        }
        eosTokenIds = List.copyOf(eosTokenIds);
        for (int id : eosTokenIds) {
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("eos id " + id + " outside vocabulary of " + vocab);
            }
        }
    }

    /** Plain RoPE, no q/k norms, full attention in every layer. */
    public ModelConfig(Architecture architecture, int hidden, int intermediate, int layers, int heads, int kvHeads,
                       int headDim, int vocab, int maxPositions, double rmsNormEps, double ropeTheta,
                       boolean tieWordEmbeddings, boolean attentionBias, List<Integer> eosTokenIds) {
        this(architecture, hidden, intermediate, layers, heads, kvHeads, headDim, vocab, maxPositions, rmsNormEps,
                RopeScaling.plain(ropeTheta), tieWordEmbeddings, attentionBias, false,
                java.util.Collections.nCopies(Math.max(layers, 0), 0), eosTokenIds);
    }

    /** The sliding window of {@code layer}, or 0 for full causal attention. */
    public int windowOf(int layer) {
        return layerWindows.get(layer);
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
        int hidden = c.integer("hidden_size");
        int heads = c.integer("num_attention_heads");
        int kvHeads = c.optionalInteger("num_key_value_heads", heads);
        // LlamaAttention, MistralAttention, Qwen3Attention: config.head_dim when set, else hidden / heads.
        int headDim = c.optionalInteger("head_dim", hidden / heads);
        int layers = c.integer("num_hidden_layers");
        int maxPositions = c.integer("max_position_embeddings");
        boolean bias = architecture == Architecture.QWEN2 || c.bool("attention_bias", false);
        RopeScaling rope = c.rope(maxPositions);
        List<Integer> windows = c.layerWindows(architecture, layers);

        Set<Integer> eos = new LinkedHashSet<>(c.ids("eos_token_id"));
        if (generationConfigJson != null) {
            eos.addAll(new ConfigReader(readTree(generationConfigJson, source), source).ids("eos_token_id"));
        }
        try {
            return new ModelConfig(architecture, hidden, c.integer("intermediate_size"), layers, heads, kvHeads,
                    headDim, c.integer("vocab_size"), maxPositions, c.number("rms_norm_eps"), rope,
                    c.bool("tie_word_embeddings", false), bias, architecture == Architecture.QWEN3, windows,
                    new ArrayList<>(eos));
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
                    "unsupported architecture '" + name + "' in 'architectures' (supported: "
                            + java.util.Arrays.stream(Architecture.values()).map(Architecture::hubName)
                                    .collect(java.util.stream.Collectors.joining(", ")) + ")"));
        }

        /**
         * The RoPE parameters as {@code convert_rope_params_to_dict} / {@code standardize_rope_params}
         * resolve them: the dict is {@code rope_scaling} (classic) or {@code rope_parameters}
         * (transformers 5); theta from the dict, else top level, else 10000; the type from
         * {@code rope_type}, else the legacy {@code type}, else default. Every other rope type and a
         * partial rotary factor would silently give wrong logits, so they are errors.
         */
        RopeScaling rope(int maxPositions) {
            String field = isObject(root.path("rope_scaling")) ? "rope_scaling"
                    : isObject(root.path("rope_parameters")) ? "rope_parameters" : null;
            JsonNode dict = field == null ? JSON.createObjectNode() : root.get(field);
            String where = field == null ? "config" : field;
            for (JsonNode node : List.of(dict, root)) {
                if (node.hasNonNull("partial_rotary_factor") && node.get("partial_rotary_factor").asDouble() != 1.0) {
                    throw error("unsupported partial_rotary_factor " + node.get("partial_rotary_factor")
                            + " (only 1: RoPE over the whole head)");
                }
            }
            double theta = dict.hasNonNull("rope_theta") ? dict.get("rope_theta").asDouble()
                    : root.hasNonNull("rope_theta") ? root.get("rope_theta").asDouble() : 10_000.0;
            String type = dict.hasNonNull("rope_type") ? dict.get("rope_type").asText()
                    : dict.hasNonNull("type") ? dict.get("type").asText() : "default";
            try {
                switch (type) {
                    case "default":
                        return RopeScaling.plain(theta);
                    case "linear":
                        return RopeScaling.linear(theta, ropeNumber(dict, where, "factor"));
                    case "llama3":
                        int original = dict.hasNonNull("original_max_position_embeddings")
                                ? dict.get("original_max_position_embeddings").asInt() : maxPositions;
                        return RopeScaling.llama3(theta, ropeNumber(dict, where, "factor"),
                                ropeNumber(dict, where, "low_freq_factor"), ropeNumber(dict, where, "high_freq_factor"),
                                original);
                    default:
                        throw error("unsupported rope type '" + type + "' in " + where
                                + " (supported: default, linear, llama3)");
                }
            } catch (IllegalArgumentException e) {
                throw error(where + ": " + e.getMessage());
            }
        }

        private double ropeNumber(JsonNode dict, String where, String field) {
            JsonNode node = dict.get(field);
            if (node == null || !node.isNumber()) {
                throw error("missing or non-numeric '" + where + "." + field + "'");
            }
            return node.doubleValue();
        }

        private static boolean isObject(JsonNode node) {
            return node.isObject() && !node.isEmpty();
        }

        /**
         * Sliding windows per layer. Mistral: {@code sliding_window} on every layer when not null
         * ({@code MistralModel}). Qwen2/Qwen3: only when {@code use_sliding_window}, on the layers
         * {@code layer_types} marks {@code sliding_attention} (default: index >= max_window_layers);
         * otherwise the config's {@code sliding_window} is ignored, as Qwen3Config sets it to None.
         */
        List<Integer> layerWindows(Architecture architecture, int layers) {
            List<Integer> windows = new ArrayList<>(java.util.Collections.nCopies(layers, 0));
            boolean uses = switch (architecture) {
                case MISTRAL -> root.hasNonNull("sliding_window");
                case QWEN2, QWEN3 -> bool("use_sliding_window", false) && root.hasNonNull("sliding_window");
                case LLAMA -> false;
            };
            if (!uses) {
                return windows;
            }
            int window = integer("sliding_window");
            if (window <= 0) {
                throw error("'sliding_window' must be positive, got " + window);
            }
            JsonNode types = root.path("layer_types");
            int maxWindowLayers = optionalInteger("max_window_layers", 28);
            if (architecture != Architecture.MISTRAL && !types.isMissingNode() && !types.isNull()
                    && (!types.isArray() || types.size() != layers)) {
                throw error("'layer_types' must list one type per layer (" + layers + "), got " + types);
            }
            for (int i = 0; i < layers; i++) {
                boolean sliding;
                if (architecture == Architecture.MISTRAL) {
                    sliding = true;
                } else if (types.isArray()) {
                    String t = types.get(i).asText();
                    if (!t.equals("sliding_attention") && !t.equals("full_attention")) {
                        throw error("unsupported layer_types[" + i + "] '" + t + "'");
                    }
                    sliding = t.equals("sliding_attention");
                } else {
                    sliding = i >= maxWindowLayers;
                }
                windows.set(i, sliding ? window : 0);
            }
            return windows;
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
