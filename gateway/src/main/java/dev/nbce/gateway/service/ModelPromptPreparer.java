package dev.nbce.gateway.service;

import dev.nbce.common.error.InvalidRequestException;
import dev.nbce.gateway.prompt.PreparedPrompt;
import dev.nbce.gateway.prompt.PromptModel;
import dev.nbce.gateway.prompt.TokenTextStream;
import dev.nbce.gateway.request.GenerationRequest;
import dev.nbce.gateway.session.GenerationPlan;
import dev.nbce.gateway.session.TextStream;
import dev.nbce.gateway.tools.ToolCallFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashSet;

/** Prepares rows with the model's own tokenizer, chat template and windowing. Thread-safe. */
public final class ModelPromptPreparer implements PromptPreparer, AutoCloseable {
    private final PromptModel model;
    private final String name;
    private final ConversationPreparer conversations;
    private final ToolCallFormat toolFormat;

    private ModelPromptPreparer(PromptModel model, String name, ToolCallFormat toolFormat) {
        this.model = model;
        this.name = name;
        this.toolFormat = toolFormat;
        this.conversations = new ConversationPreparer(model, toolFormat);
    }

    public static ModelPromptPreparer load(Path modelDir) {
        return load(modelDir, modelDir.toAbsolutePath().normalize().getFileName().toString());
    }

    public static ModelPromptPreparer load(Path modelDir, String name) {
        return load(modelDir, name, 0);
    }

    /** @param defaultWindowTokens the window when a request names none; 0: the model's default (see {@link PromptModel}) */
    public static ModelPromptPreparer load(Path modelDir, String name, int defaultWindowTokens) {
        return load(modelDir, name, defaultWindowTokens, "auto");
    }

    /**
     * @param toolCallParser {@code NBCE_TOOL_CALL_PARSER}: auto, hermes, llama3_json or none (see {@link ToolCallFormat})
     */
    public static ModelPromptPreparer load(Path modelDir, String name, int defaultWindowTokens, String toolCallParser) {
        PromptModel model;
        try {
            model = PromptModel.load(modelDir, defaultWindowTokens);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the tokenizer of " + modelDir + ": " + e.getMessage(), e);
        }
        try {
            return new ModelPromptPreparer(model, name,
                    ToolCallFormat.of(toolCallParser, model.chatTemplate().source().orElse(null)));
        } catch (IllegalArgumentException e) {
            model.close();
            throw e;
        }
    }

    @Override
    public ToolCallFormat toolCallFormat() {
        return toolFormat;
    }

    @Override
    public PromptModel model() {
        return model;
    }

    @Override
    public GenerationPlan prepare(String requestId, GenerationRequest request) {
        ConversationPreparer.Rows rows;
        try {
            rows = conversations.prepare(request);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(null, e.getMessage());
        }
        PreparedPrompt prompt = rows.prompt();
        return new GenerationPlan(requestId, rows.request(), prompt.rowTokenIds(), prompt.windowSources(),
                new HashSet<>(model.eosTokenIds()), model.maxPositions(), rows.documentMessage(), prompt.windows());
    }

    @Override
    public TextStream newTextStream() {
        TokenTextStream stream = model.tokenizer().stream();
        return new TextStream() {
            @Override
            public String push(int tokenId) {
                return stream.push(tokenId);
            }

            @Override
            public String finish() {
                return stream.flush();
            }
        };
    }

    @Override
    public String tokenText(int tokenId) {
        return model.tokenizer().decode(new int[] {tokenId}, false);
    }

    @Override
    public String modelName() {
        return name;
    }

    @Override
    public void close() {
        model.close();
    }
}
