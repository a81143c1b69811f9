package dev.nbce.gateway.prompt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Everything the gateway needs from a model directory to build rows and recognise the end of an
 * answer: tokenizer, chat template, {@code max_position_embeddings} and the EOS ids. Load once per
 * model; thread-safe; close to free the native tokenizer.
 */
public final class PromptModel implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path directory;
    private final ModelTokenizer tokenizer;
    private final ChatTemplate chatTemplate;
    private final int maxPositions;
    private final List<Integer> eosTokenIds;
    /** The server's window when a request names none; 0: the trained length capped at {@link #DEFAULT_WINDOW_CAP}. */
    private final int defaultWindowTokens;

    private PromptModel(Path directory, ModelTokenizer tokenizer, ChatTemplate chatTemplate,
            int maxPositions, List<Integer> eosTokenIds, int defaultWindowTokens) {
        this.defaultWindowTokens = defaultWindowTokens;
        this.directory = directory;
        this.tokenizer = tokenizer;
        this.chatTemplate = chatTemplate;
        this.maxPositions = maxPositions;
        this.eosTokenIds = List.copyOf(eosTokenIds);
    }

    /**
     * Reads {@code tokenizer.json}, {@code tokenizer_config.json} (template, eos_token),
     * {@code config.json} (max_position_embeddings, eos_token_id) and, if present,
     * {@code generation_config.json} (eos_token_id).
     */
    public static PromptModel load(Path modelDir) throws IOException {
        return load(modelDir, 0);
    }

    /**
     * @param defaultWindowTokens the window when a request names none (at least 2, capped at
     *                            max_position_embeddings); 0: the trained length capped at {@value #DEFAULT_WINDOW_CAP}
     */
    public static PromptModel load(Path modelDir, int defaultWindowTokens) throws IOException {
        if (defaultWindowTokens != 0 && defaultWindowTokens < 2) {
            throw new IllegalArgumentException("the default window must be at least 2 tokens, got " + defaultWindowTokens);
        }
        if (!Files.isDirectory(modelDir)) {
            throw new IOException("not a model directory: " + modelDir);
        }
        Path configFile = modelDir.resolve("config.json");
        if (!Files.isRegularFile(configFile)) {
            throw new IOException("no config.json in " + modelDir);
        }
        JsonNode config = JSON.readTree(configFile.toFile());
        int maxPositions = maxPositions(config, configFile);
        TokenizerConfig tokenizerConfig = TokenizerConfig.read(modelDir);
        ChatTemplate template = ChatTemplate.of(tokenizerConfig, modelDir.toString());
        ModelTokenizer tokenizer = ModelTokenizer.load(modelDir);
        try {
            Set<Integer> eos = new LinkedHashSet<>();
            Path generationFile = modelDir.resolve("generation_config.json");
            if (Files.isRegularFile(generationFile)) {
                addIds(JSON.readTree(generationFile.toFile()).get("eos_token_id"), eos);
            }
            addIds(config.get("eos_token_id"), eos);
            if (tokenizerConfig.eosToken() != null) {
                OptionalInt id = tokenizer.tokenId(tokenizerConfig.eosToken());
                if (id.isEmpty()) {
                    throw new IOException("eos_token " + tokenizerConfig.eosToken() + " of " + modelDir
                            + " is not in its tokenizer");
                }
                eos.add(id.getAsInt());
            }
            if (eos.isEmpty()) {
                throw new IOException("no EOS token in " + modelDir
                        + " (config.json, generation_config.json and tokenizer_config.json name none)");
            }
            return new PromptModel(modelDir, tokenizer, template, maxPositions, new ArrayList<>(eos), defaultWindowTokens);
        } catch (IOException | RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    public Path directory() {
        return directory;
    }

    public ModelTokenizer tokenizer() {
        return tokenizer;
    }

    public ChatTemplate chatTemplate() {
        return chatTemplate;
    }

    /** {@code max_position_embeddings}: no row, prompt plus answer, may be longer. */
    public int maxPositions() {
        return maxPositions;
    }

    /** EOS ids: generation_config.json, config.json, then tokenizer_config.json's eos_token; no duplicates. */
    public List<Integer> eosTokenIds() {
        return eosTokenIds;
    }

    public boolean isEos(int tokenId) {
        return eosTokenIds.contains(tokenId);
    }

    /** @param userTemplate null for {@link RowRenderer#DEFAULT_USER_TEMPLATE} */
    public RowRenderer renderer(String userTemplate) {
        return new RowRenderer(chatTemplate, userTemplate);
    }

    /** The server's window when a request names none and none is configured: the trained length capped at this. */
    public static final int DEFAULT_WINDOW_CAP = 4096;

    /**
     * The window length for a request: its own {@code window_tokens} (0 = not given), else the server
     * default; never more than {@code max_position_embeddings}.
     */
    public int windowTokens(int requested) {
        if (requested > maxPositions) {
            throw new IllegalArgumentException("window_tokens " + requested + " exceeds max_position_embeddings "
                    + maxPositions);
        }
        if (requested > 0) {
            return requested;
        }
        return Math.min(maxPositions, defaultWindowTokens == 0 ? DEFAULT_WINDOW_CAP : defaultWindowTokens);
    }

    public Windower windower(String userTemplate) {
        return windower(userTemplate, 0);
    }

    /** @param windowTokens the request's window_tokens, 0 for the server default */
    public Windower windower(String userTemplate, int windowTokens) {
        return new Windower(tokenizer, renderer(userTemplate), maxPositions, windowTokens(windowTokens));
    }

    /**
     * Rows of raw text, without the chat template (OpenAI's completions): what a model without a template
     * gets, {@code bos_token} and the text.
     */
    public Windower rawWindower(String userTemplate, int windowTokens) {
        return new Windower(tokenizer, new RowRenderer(ChatTemplate.plain(chatTemplate.bosToken()), userTemplate),
                maxPositions, windowTokens(windowTokens));
    }

    /** The rows of a request: {@code contexts} or {@code document} (at most one), windowed to fit. */
    public PreparedPrompt prepare(String question, List<String> contexts, String document,
            String userTemplate, int maxNewTokens) {
        return windower(userTemplate).prepare(question, contexts, document, maxNewTokens);
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    private static int maxPositions(JsonNode config, Path file) throws IOException {
        JsonNode value = config.get("max_position_embeddings");
        if (value == null && config.has("text_config")) { // multimodal wrappers nest the decoder's config
            value = config.get("text_config").get("max_position_embeddings");
        }
        if (value == null || !value.canConvertToInt() || value.asInt() < 2) {
            throw new IOException("no valid max_position_embeddings in " + file);
        }
        return value.asInt();
    }

    private static void addIds(JsonNode node, Set<Integer> into) {
        if (node == null || node.isNull()) {
            return;
        }
        if (node.isArray()) {
            node.forEach(id -> into.add(id.asInt()));
        } else if (node.canConvertToInt()) {
            into.add(node.asInt());
        }
    }
}
