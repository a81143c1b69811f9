package dev.nbce.gateway.service;

import dev.nbce.gateway.prompt.PromptModel;
import dev.nbce.gateway.request.GenerationRequest;
import dev.nbce.gateway.session.GenerationPlan;
import dev.nbce.gateway.session.TextStream;
import dev.nbce.gateway.tools.ToolCallFormat;

/** Turns a request into rows (tokenized, windowed, chat-templated); blocking, so run off the event loop. */
public interface PromptPreparer {
    /** @throws dev.nbce.common.error.InvalidRequestException when the request cannot be windowed */
    GenerationPlan prepare(String requestId, GenerationRequest request);

    /** A fresh detokenizer for one generation's output. */
    TextStream newTextStream();

    /** The text of one token alone (log-probability entries name their tokens by it). */
    default String tokenText(int tokenId) {
        return "";
    }

    /** How the model writes function calls (NBCE_TOOL_CALL_PARSER, or its family's format). */
    default ToolCallFormat toolCallFormat() {
        return ToolCallFormat.HERMES;
    }

    /** The model's name as announced by workers and listed by /v1/models. */
    String modelName();

    /** The tokenizer, chat template and limits requests are prepared with (for /tokenize). */
    PromptModel model();
}
