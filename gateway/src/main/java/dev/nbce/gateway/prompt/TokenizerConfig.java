package dev.nbce.gateway.prompt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the prompt side needs from a model's {@code tokenizer_config.json}: the chat template and the
 * named special tokens, which transformers passes to the template as variables ({@code bos_token},
 * {@code eos_token}, ..., {@code additional_special_tokens}, and the model's {@code extra_special_tokens}
 * such as Gemma 3's {@code boi_token}). A token that is null or absent in the config is not in
 * {@link #specialTokens()} at all, so a template sees it as undefined, as under transformers.
 *
 * <p>The template is looked for where transformers saves it: {@code chat_template.jinja} (newer
 * releases), then {@code tokenizer_config.json}'s {@code chat_template} (a string, or a list of named
 * templates of which {@code default} is used), then {@code chat_template.json}.
 *
 * @param specialTokens variable name to token text (a String) or, for {@code additional_special_tokens},
 *     a list of texts; iteration order is the config's
 */
public record TokenizerConfig(Optional<String> chatTemplate, Map<String, Object> specialTokens) {

    public static final String FILE = "tokenizer_config.json";
    public static final String TEMPLATE_FILE = "chat_template.jinja";
    public static final String TEMPLATE_JSON_FILE = "chat_template.json";

    /** transformers' SPECIAL_TOKENS_ATTRIBUTES: the special tokens every tokenizer can name. */
    private static final List<String> NAMED_TOKENS = List.of(
            "bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token");
    private static final String ADDITIONAL = "additional_special_tokens";
    private static final String EXTRA = "extra_special_tokens";

    private static final ObjectMapper JSON = new ObjectMapper();

    public TokenizerConfig {
        chatTemplate = chatTemplate == null ? Optional.empty() : chatTemplate.filter(t -> !t.isBlank());
        Map<String, Object> copy = new LinkedHashMap<>();
        (specialTokens == null ? Map.<String, Object>of() : specialTokens).forEach((name, value) -> {
            if (value instanceof String || value instanceof List<?>) {
                copy.put(name, value instanceof List<?> list ? List.copyOf(list) : value);
            } else if (value != null) {
                throw new IllegalArgumentException("special token " + name + " must be a string or a list");
            }
        });
        specialTokens = Collections.unmodifiableMap(copy);
    }

    /** The template (may be null) with only bos/eos named; either may be null. */
    public static TokenizerConfig of(String chatTemplate, String bosToken, String eosToken) {
        Map<String, Object> tokens = new LinkedHashMap<>();
        tokens.put("bos_token", bosToken);
        tokens.put("eos_token", eosToken);
        return new TokenizerConfig(Optional.ofNullable(chatTemplate), tokens);
    }

    public String bosToken() {
        return token("bos_token");
    }

    public String eosToken() {
        return token("eos_token");
    }

    private String token(String name) {
        return specialTokens.get(name) instanceof String text ? text : null;
    }

    /** Reads the model directory; a missing {@code tokenizer_config.json} means no template and no tokens. */
    public static TokenizerConfig read(Path modelDir) throws IOException {
        Path configFile = modelDir.resolve(FILE);
        JsonNode config = Files.isRegularFile(configFile)
                ? JSON.readTree(configFile.toFile())
                : JSON.createObjectNode();
        return new TokenizerConfig(findTemplate(modelDir, config), specialTokensOf(config));
    }

    private static Map<String, Object> specialTokensOf(JsonNode config) {
        Map<String, Object> tokens = new LinkedHashMap<>();
        for (String name : NAMED_TOKENS) {
            tokens.put(name, tokenText(config.get(name)));
        }
        JsonNode additional = config.get(ADDITIONAL);
        if (additional != null && additional.isArray()) {
            List<String> texts = new ArrayList<>();
            additional.forEach(token -> {
                String text = tokenText(token);
                if (text != null) {
                    texts.add(text);
                }
            });
            tokens.put(ADDITIONAL, texts);
        }
        JsonNode extra = config.get(EXTRA);
        if (extra != null && extra.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = extra.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                tokens.put(entry.getKey(), tokenText(entry.getValue()));
            }
        }
        return tokens;
    }

    private static Optional<String> findTemplate(Path modelDir, JsonNode config) throws IOException {
        Path jinja = modelDir.resolve(TEMPLATE_FILE);
        if (Files.isRegularFile(jinja)) {
            return Optional.of(Files.readString(jinja));
        }
        Optional<String> inConfig = templateOf(config.get("chat_template"));
        if (inConfig.isPresent()) {
            return inConfig;
        }
        Path json = modelDir.resolve(TEMPLATE_JSON_FILE);
        if (Files.isRegularFile(json)) {
            return templateOf(JSON.readTree(json.toFile()).get("chat_template"));
        }
        return Optional.empty();
    }

    private static Optional<String> templateOf(JsonNode node) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (node.isTextual()) {
            return Optional.of(node.asText());
        }
        if (node.isArray()) { // [{"name": "default", "template": "..."}, {"name": "tool_use", ...}]
            JsonNode chosen = null;
            for (JsonNode named : node) {
                if ("default".equals(named.path("name").asText())) {
                    chosen = named;
                }
            }
            if (chosen == null && !node.isEmpty()) {
                chosen = node.get(0);
            }
            return chosen == null ? Optional.empty() : Optional.of(chosen.path("template").asText());
        }
        return Optional.empty();
    }

    /** A special token is either a plain string or an AddedToken object {"content": ...}. */
    private static String tokenText(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        JsonNode content = node.get("content");
        return content != null && content.isTextual() ? content.asText() : null;
    }
}
