package dev.nbce.gateway.http;

import dev.nbce.gateway.request.GenerationRequest;
import dev.nbce.gateway.tools.ToolCallFormat;

/**
 * An OpenAI chat-completions or completions request, read: the generation, and how to answer it.
 *
 * @param includeUsage {@code stream_options.include_usage}: a last chunk with the usage and no choices
 * @param logprobs     answer with log-probabilities (the count of alternatives is in the request)
 * @param toolFormat   the format the answer is read for tool calls in; null when the request offers no tools
 */
record OpenAiRequest(GenerationRequest request, boolean stream, boolean includeUsage, boolean logprobs,
                     ToolCallFormat toolFormat) {}
