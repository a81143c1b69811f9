package dev.nbce.gateway.request;

import dev.nbce.common.error.InvalidRequestException;

/**
 * What a request asks of each step beyond choosing the token (docs/design.md: NBCE step 7, applied to the final
 * NBCE scores): OpenAI's repetition penalties and log-probabilities.
 *
 * @param presencePenalty  subtracted once from the final score of every token already generated, -2..2
 * @param frequencyPenalty subtracted from it once per time the token was generated, -2..2
 * @param logprobs         -1: none; k in 0..{@value #MAX_TOP_LOGPROBS}: each chosen token's log-probability
 *                         under the final distribution, with its k most probable alternatives
 */
public record OutputOptions(double presencePenalty, double frequencyPenalty, int logprobs) {
    public static final int MAX_TOP_LOGPROBS = 20;
    public static final OutputOptions NONE = new OutputOptions(0, 0, -1);

    public OutputOptions {
        if (!Double.isFinite(presencePenalty) || presencePenalty < -2 || presencePenalty > 2) {
            throw new InvalidRequestException("presence_penalty", "presence_penalty must be within -2..2, got " + presencePenalty);
        }
        if (!Double.isFinite(frequencyPenalty) || frequencyPenalty < -2 || frequencyPenalty > 2) {
            throw new InvalidRequestException("frequency_penalty", "frequency_penalty must be within -2..2, got " + frequencyPenalty);
        }
        if (logprobs < -1 || logprobs > MAX_TOP_LOGPROBS) {
            throw new InvalidRequestException("logprobs", "logprobs must be within 0.." + MAX_TOP_LOGPROBS + ", got " + logprobs);
        }
    }

    public boolean penalised() {
        return presencePenalty != 0 || frequencyPenalty != 0;
    }

    public boolean wantsLogprobs() {
        return logprobs >= 0;
    }
}
