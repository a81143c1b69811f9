package dev.nbce.gateway.http;

import dev.nbce.gateway.request.GenerationRequest;
import dev.nbce.gateway.tools.ToolCallFormat;

/**
 * An OpenAI chat-completions or completions request, read: the generation, and how to answer it.
 *
 * @param includeUsage {@code stream_options.include_usage}: a last chunk with the usage and no choices
 * @param logprobs     answer with log-probabilities (the count of alternatives is in the request)
 * @param toolFormat   the format the answer is read for tool calls in; null when the request offers no tools
 * @param choices      {@code n}: answers over the same windows, each with its own seed ({@link #choice})
 */
record OpenAiRequest(GenerationRequest request, boolean stream, boolean includeUsage, boolean logprobs,
                     ToolCallFormat toolFormat, int choices) {
    /** The most choices one request may ask for. */
    static final int MAX_CHOICES = 8;

    /** Choice {@code i}'s generation: the request's seed plus {@code i}, so seeded choices differ and repeat. */
    GenerationRequest choice(int i) {
        return i == 0 || request.seed() == null ? request : request.withSeed(request.seed() + i);
    }
}
