package dev.nbce.launcher.local;

import dev.nbce.common.request.GenerationRequest;
import dev.nbce.common.request.InvalidRequestException;
import dev.nbce.gateway.prompt.ChatMessage;
import dev.nbce.gateway.prompt.PreparedPrompt;
import dev.nbce.gateway.prompt.PromptModel;
import dev.nbce.gateway.service.PromptPreparer;
import dev.nbce.gateway.session.GenerationPlan;
import dev.nbce.gateway.session.TextStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Prepares a request as the next turn of a conversation over the same contexts when its question
 * was registered with earlier turns ({@link #follow}); other requests as usual. The rows are those of
 * the whole conversation (the windows in its first user turn, see
 * {@code dev.nbce.gateway.prompt.ConversationRows}), so a follow-up's row is the earlier row, its
 * answer and the new question: what the bench and the exactness tests ask of the prefix cache, with
 * requests that carry only a question.
 */
public final class ConversationTurns implements PromptPreparer {
    private final PromptPreparer base;
    private final Map<String, List<ChatMessage>> earlierTurns = new ConcurrentHashMap<>();

    public ConversationTurns(PromptPreparer base) {
        this.base = base;
    }

    /** A request asking {@code question} continues after {@code earlier} (user, assistant, ...). */
    public void follow(String question, List<ChatMessage> earlier) {
        earlierTurns.put(question, List.copyOf(earlier));
    }

    @Override
    public GenerationPlan prepare(String requestId, GenerationRequest request) {
        List<ChatMessage> earlier = earlierTurns.get(request.question());
        if (earlier == null) {
            return base.prepare(requestId, request);
        }
        List<ChatMessage> conversation = new ArrayList<>(earlier);
        conversation.add(ChatMessage.user(request.question()));
        PromptModel model = base.model();
        PreparedPrompt prompt;
        try {
            prompt = model.windower(request.userTemplate()).prepare(conversation, request.contexts(), request.document(),
                    request.maxNewTokens());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(null, e.getMessage());
        }
        return new GenerationPlan(requestId, request, prompt.rowTokenIds(), prompt.windowSources(),
                new HashSet<>(model.eosTokenIds()), model.maxPositions());
    }

    @Override
    public TextStream newTextStream() {
        return base.newTextStream();
    }

    @Override
    public String modelName() {
        return base.modelName();
    }

    @Override
    public PromptModel model() {
        return base.model();
    }
}
