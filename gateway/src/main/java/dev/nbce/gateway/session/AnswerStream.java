package dev.nbce.gateway.session;

import dev.nbce.common.nbce.StopStringMatcher;
import dev.nbce.common.nbce.TokenLogprob;
import dev.nbce.gateway.request.FinishReason;

/**
 * The answer as its tokens are chosen (docs/design.md: NBCE step 8): detokenises them, streams each text
 * delta to the listener (holding back what may be the start of a stop string or of a multi-byte
 * character), and says when generation ends — an EOS id, a stop string, max_new_tokens or the
 * model's length. One per generation.
 */
final class AnswerStream {
    private final GenerationPlan plan;
    private final TextStream text;
    private final StopStringMatcher stops;
    private final SessionListener listener;
    private final StringBuilder answer = new StringBuilder();

    AnswerStream(GenerationPlan plan, TextStream text, SessionListener listener) {
        this.plan = plan;
        this.text = text;
        this.stops = new StopStringMatcher(plan.request().stop());
        this.listener = listener;
    }

    /**
     * Streams the text of the {@code generated}-th token, drawn from {@code window}.
     *
     * @return why generation ends with this token, or null to go on
     */
    FinishReason accept(int token, int window, int generated, TokenLogprob logprob) {
        if (plan.eosIds().contains(token)) {
            flush(token, window, null); // the EOS is no part of the answer's text, nor of its log-probabilities
            return FinishReason.EOS;
        }
        emit(stops.feed(text.push(token)), token, window, true, logprob);
        if (stops.stopped()) {
            return FinishReason.STOP;
        }
        if (generated >= plan.request().maxNewTokens() || plan.longestPrompt() + generated >= plan.maxPositions()) {
            flush(-1, window, null);
            return FinishReason.LENGTH;
        }
        return null;
    }

    /** The text streamed so far: the answer, without any stop string. */
    String text() {
        return answer.toString();
    }

    /** Emits what is still held back (a partial character, a possible stop-string prefix) at the end. */
    private void flush(int token, int window, TokenLogprob logprob) {
        String tail = text.finish();
        if (!stops.stopped()) {
            emit(stops.feed(tail) + stops.flush(), token, window, false, logprob);
        }
    }

    /** @param always a token's own event goes out even when empty (clients count tokens); a flush only with text */
    private void emit(String delta, int token, int window, boolean always, TokenLogprob logprob) {
        if (always || !delta.isEmpty()) {
            answer.append(delta);
            listener.onToken(new TokenEvent(delta, token, window, plan.contextOf(window), logprob));
        }
    }
}
