package dev.nbce.gateway.service;

import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;
import dev.nbce.gateway.request.GenerationRequest;
import dev.nbce.gateway.request.RequestMessage;
import java.nio.charset.StandardCharsets;

/**
 * The server's limits checked on the request as parsed, before any tokenization, so a request that
 * must be refused costs microseconds, not seconds of tokenizer time. Each check only refuses what the
 * exact check after tokenization would refuse too: every context is at least one window, and a token
 * never covers more UTF-8 bytes than the longest token of the vocabulary.
 */
final class CheapLimits {
    private final GatewayLimits limits;
    private final int longestTokenBytes;

    /** @param longestTokenBytes the most UTF-8 bytes any one token of the model's vocabulary spells */
    CheapLimits(GatewayLimits limits, int longestTokenBytes) {
        this.limits = limits;
        this.longestTokenBytes = Math.max(1, longestTokenBytes);
    }

    void check(GenerationRequest request) {
        if (!request.fillWindow() && request.maxNewTokens() > limits.maxNewTokens()) {
            throw new NbceException(ErrorCode.BAD_REQUEST, "max_new_tokens " + request.maxNewTokens()
                    + " exceeds this server's limit of " + limits.maxNewTokens());
        }
        if (request.contexts().size() > limits.maxWindows()) {
            throw new NbceException(ErrorCode.TOO_LARGE, request.contexts().size()
                    + " contexts exceed this server's limit of " + limits.maxWindows() + " windows");
        }
        long bytes = request.document() == null ? 0 : utf8Bytes(request.document());
        for (String context : request.contexts()) {
            bytes += utf8Bytes(context);
        }
        // A long conversation is windowed from its messages; every message is in at least one row.
        for (RequestMessage message : request.messages()) {
            bytes += utf8Bytes(message.text());
        }
        if (request.prompt() != null) {
            bytes += utf8Bytes(request.prompt());
        }
        long fewestTokens = bytes / longestTokenBytes;
        if (fewestTokens > limits.maxContextTokens()) {
            throw new NbceException(ErrorCode.TOO_LARGE, "the contexts hold at least " + fewestTokens
                    + " tokens, more than this server's limit of " + limits.maxContextTokens());
        }
    }

    private static long utf8Bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }
}
