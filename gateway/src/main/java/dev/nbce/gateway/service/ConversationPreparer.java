package dev.nbce.gateway.service;

import dev.nbce.gateway.prompt.ChatMessage;
import dev.nbce.gateway.prompt.ContentPartsRefusedException;
import dev.nbce.gateway.prompt.PreparedPrompt;
import dev.nbce.gateway.prompt.PromptModel;
import dev.nbce.gateway.prompt.PromptTooLongException;
import dev.nbce.gateway.prompt.Windower;
import dev.nbce.gateway.request.GenerationRequest;
import dev.nbce.gateway.request.RequestMessage;
import dev.nbce.gateway.tools.ToolCallFormat;
import dev.nbce.gateway.tools.ToolPrompt;
import java.util.ArrayList;
import java.util.List;

/**
 * The rows of a request's conversation, as chat clients send it: content parts go to the template as a
 * list and are joined by newlines where the template (or the turn a window goes into) needs a string; a
 * conversation too long for one window, sent without contexts or document, is windowed by
 * {@link LongConversation}'s rule; a request without an answer budget reserves
 * {@link #fillReserve(int)} tokens when its windows are cut.
 */
public final class ConversationPreparer {
    /** The prepared rows and the message that became the document (-1: none). */
    record Rows(PreparedPrompt prompt, GenerationRequest request, int documentMessage) {}

    private final PromptModel model;
    private final ToolCallFormat toolFormat;

    ConversationPreparer(PromptModel model, ToolCallFormat toolFormat) {
        this.model = model;
        this.toolFormat = toolFormat;
    }

    /** The room a request without max_tokens keeps for its answer in every window: a quarter, at most 256. */
    static int fillReserve(int maxPositions) {
        return Math.max(1, Math.min(256, maxPositions / 4));
    }

    Rows prepare(GenerationRequest request) {
        if (request.fillWindow()) {
            request = request.withMaxNewTokens(fillReserve(model.maxPositions()), true);
        }
        boolean noContext = request.contexts().isEmpty() && request.document() == null;
        try {
            return new Rows(windowed(request, request.conversation(), request.document()), request, -1);
        } catch (PromptTooLongException tooLong) {
            LongConversation.Split split = noContext ? LongConversation.split(request.conversation()) : null;
            if (split == null) {
                throw tooLong;
            }
            return new Rows(windowed(request, split.messages(), split.document()), request, split.from());
        }
    }

    private PreparedPrompt windowed(GenerationRequest request, List<RequestMessage> conversation, String document) {
        Windower windower = request.prompt() != null ? model.rawWindower(request.userTemplate(), request.windowTokens())
                : model.windower(request.userTemplate(), request.windowTokens());
        ToolPrompt tools = ToolPrompt.of(conversation, request.tools(), toolFormat, model.chatTemplate().takesTools());
        try {
            return windower.prepare(chatMessages(tools.messages(), false), tools.templateTools(), request.contexts(),
                    document, request.maxNewTokens());
        } catch (ContentPartsRefusedException refused) {
            return windower.prepare(chatMessages(tools.messages(), true), tools.templateTools(), request.contexts(),
                    document, request.maxNewTokens());
        }
    }

    /**
     * The conversation as the model's chat template renders it (what /tokenize counts), with the same
     * fallback as the rows: parts joined by newlines where the template needs a string.
     */
    public static String render(PromptModel model, List<RequestMessage> conversation, boolean addGenerationPrompt) {
        try {
            return model.chatTemplate().render(chatMessages(conversation, false), addGenerationPrompt);
        } catch (ContentPartsRefusedException refused) {
            return model.chatTemplate().render(chatMessages(conversation, true), addGenerationPrompt);
        }
    }

    private static List<ChatMessage> chatMessages(List<RequestMessage> conversation, boolean joinParts) {
        List<ChatMessage> out = new ArrayList<>(conversation.size());
        for (RequestMessage m : conversation) {
            out.add(ChatMessage.of(m, joinParts));
        }
        return out;
    }
}
