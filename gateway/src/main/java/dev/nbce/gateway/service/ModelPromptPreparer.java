package dev.nbce.gateway.service;

import dev.nbce.common.error.InvalidRequestException;
import dev.nbce.gateway.prompt.PreparedPrompt;
import dev.nbce.gateway.prompt.PromptModel;
import dev.nbce.gateway.prompt.TokenTextStream;
import dev.nbce.gateway.request.GenerationRequest;
import dev.nbce.gateway.session.GenerationPlan;
import dev.nbce.gateway.session.TextStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashSet;

/** Prepares rows with the model's own tokenizer, chat template and windowing. Thread-safe. */
public final class ModelPromptPreparer implements PromptPreparer, AutoCloseable {
    private final PromptModel model;
    private final String name;
    private final ConversationPreparer conversations;

    private ModelPromptPreparer(PromptModel model, String name) {
        this.model = model;
        this.name = name;
        this.conversations = new ConversationPreparer(model);
    }

    public static ModelPromptPreparer load(Path modelDir) {
        return load(modelDir, modelDir.toAbsolutePath().normalize().getFileName().toString());
    }

    public static ModelPromptPreparer load(Path modelDir, String name) {
        return load(modelDir, name, 0);
    }

    /** @param defaultWindowTokens the window when a request names none; 0: the model's default (see {@link PromptModel}) */
    public static ModelPromptPreparer load(Path modelDir, String name, int defaultWindowTokens) {
        try {
            return new ModelPromptPreparer(PromptModel.load(modelDir, defaultWindowTokens), name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the tokenizer of " + modelDir + ": " + e.getMessage(), e);
        }
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
