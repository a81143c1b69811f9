package dev.nbce.gateway.prompt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What the prompt side needs from a model's {@code tokenizer_config.json}: the chat template and the
 * special-token strings. Token fields are null when the config does not name them.
 *
 * <p>The template is looked for where transformers saves it: {@code chat_template.jinja} (newer
 * releases), then {@code tokenizer_config.json}'s {@code chat_template} (a string, or a list of named
 * templates of which {@code default} is used), then {@code chat_template.json}.
 */
public record TokenizerConfig(
        Optional<String> chatTemplate, String bosToken, String eosToken, String padToken, String unkToken) {

    public static final String FILE = "tokenizer_config.json";
    public static final String TEMPLATE_FILE = "chat_template.jinja";
    public static final String TEMPLATE_JSON_FILE = "chat_template.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    public TokenizerConfig {
        chatTemplate = chatTemplate == null ? Optional.empty() : chatTemplate.filter(t -> !t.isBlank());
    }

    /** Reads the model directory; a missing {@code tokenizer_config.json} means no template and no tokens. */
    public static TokenizerConfig read(Path modelDir) throws IOException {
        Path configFile = modelDir.resolve(FILE);
        JsonNode config = Files.isRegularFile(configFile)
                ? JSON.readTree(configFile.toFile())
                : JSON.createObjectNode();
        return new TokenizerConfig(
                findTemplate(modelDir, config),
                tokenText(config.get("bos_token")),
                tokenText(config.get("eos_token")),
                tokenText(config.get("pad_token")),
                tokenText(config.get("unk_token")));
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
