package dev.nbce.gateway.session;

import dev.nbce.common.nbce.TokenLogprob;

/**
 * One generated token as streamed to clients: its text delta, id, 0-based window and the context
 * that window came from (both -1: the no-context row), and its log-probability when the request asked
 * for them (null otherwise, and on a trailing text flush that is no token of its own).
 */
public record TokenEvent(String text, int tokenId, int window, int context, TokenLogprob logprob) {
    public TokenEvent(String text, int tokenId, int window, int context) {
        this(text, tokenId, window, context, null);
    }
}
