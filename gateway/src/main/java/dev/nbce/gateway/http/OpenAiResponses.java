package dev.nbce.gateway.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.nbce.TokenLogprob;
import dev.nbce.gateway.request.FinishReason;
import dev.nbce.gateway.request.GenerationResult;
import dev.nbce.gateway.request.Json;
import dev.nbce.gateway.request.Role;
import dev.nbce.gateway.tools.ToolCallFormat;
import dev.nbce.gateway.tools.ToolCallReader;
import dev.nbce.gateway.tools.ToolCallStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The JSON of OpenAI answers: chat.completion and its chunks, text_completion (whole and streamed), usage,
 * log-probabilities in each API's format, and our {@code nbce} extension (windows, the generated ids and
 * the window of every token, and which message became the document when the gateway windowed a long
 * conversation).
 */
final class OpenAiResponses {
    /** OpenAI's floor for "practically impossible"; JSON has no -Infinity. */
    private static final double MIN_LOGPROB = -9999.0;

    private final String id;
    private final long created;
    private final String model;
    private final IntFunction<String> tokenText;

    OpenAiResponses(String idPrefix, String model, IntFunction<String> tokenText) {
        this.id = idPrefix + Long.toString(System.nanoTime(), 36);
        this.created = System.currentTimeMillis() / 1000;
        this.model = model;
        this.tokenText = tokenText;
    }

    ObjectNode chatCompletion(GenerationResult result, boolean logprobs) {
        return chatCompletion(result, logprobs, null);
    }

    /**
     * @param toolFormat the format the answer is read for calls in (the request offered tools); null: none.
     *                   Calls found become {@code message.tool_calls} (content: the text before them, or null)
     *                   and the finish reason "tool_calls"
     */
    ObjectNode chatCompletion(GenerationResult result, boolean logprobs, ToolCallFormat toolFormat) {
        return chatCompletion(List.of(result), logprobs, toolFormat);
    }

    /** {@code n} choices over the same windows: choice i is {@code results.get(i)}; the prompt counts once. */
    ObjectNode chatCompletion(List<GenerationResult> results, boolean logprobs, ToolCallFormat toolFormat) {
        ObjectNode body = envelope("chat.completion");
        for (int i = 0; i < results.size(); i++) {
            ObjectNode choice = body.withArray("choices").addObject().put("index", i);
            chatChoice(choice, results.get(i), logprobs, toolFormat);
            if (results.size() > 1) {
                choice.set("nbce", nbce(results.get(i))); // each choice's own ids and windows
            }
        }
        body.set("usage", usage(results));
        body.set("nbce", nbce(results.get(0)));
        return body;
    }

    private void chatChoice(ObjectNode choice, GenerationResult result, boolean logprobs, ToolCallFormat toolFormat) {
        ToolCallReader.Answer answer = toolFormat == null ? new ToolCallReader.Answer(result.text(), List.of())
                : ToolCallReader.parse(result.text(), toolFormat);
        ObjectNode message = choice.putObject("message").put("role", Role.ASSISTANT.wireName())
                .put("content", answer.content());
        message.putNull("refusal");
        if (!answer.calls().isEmpty()) {
            ArrayNode calls = message.putArray("tool_calls");
            for (ToolCallReader.Call call : answer.calls()) {
                ObjectNode entry = calls.addObject().put("id", ToolCallStream.newCallId()).put("type", "function");
                entry.putObject("function").put("name", call.name()).put("arguments", call.arguments());
            }
        }
        if (logprobs) {
            ObjectNode node = choice.putObject("logprobs");
            chatLogprobs(node.putArray("content"), result.logprobs());
            node.putNull("refusal");
        } else {
            choice.putNull("logprobs");
        }
        choice.put("finish_reason", answer.calls().isEmpty() ? finishReason(result.finishReason()) : "tool_calls");
    }

    /**
     * A streamed piece of an answer read for tool calls: content, or OpenAI's tool-call delta (a call's
     * index, id, type and name when it begins; then fragments of its arguments).
     */
    ObjectNode toolChunk(ToolCallStream.Delta delta, int window, boolean first) {
        ObjectNode chunk = envelope("chat.completion.chunk");
        ObjectNode choice = chunk.withArray("choices").addObject().put("index", 0);
        ObjectNode out = choice.putObject("delta");
        if (first) {
            out.put("role", Role.ASSISTANT.wireName());
        }
        if (delta instanceof ToolCallStream.Content c) {
            out.put("content", c.text());
        } else if (delta instanceof ToolCallStream.Start s) {
            ObjectNode call = out.putArray("tool_calls").addObject().put("index", s.index()).put("id", s.id())
                    .put("type", "function");
            call.putObject("function").put("name", s.name()).put("arguments", "");
        } else if (delta instanceof ToolCallStream.Arguments a) {
            out.putArray("tool_calls").addObject().put("index", a.index()).putObject("function")
                    .put("arguments", a.fragment());
        }
        choice.putNull("logprobs");
        choice.putNull("finish_reason");
        choice.put("nbce_window", window);
        return chunk;
    }

    /** One streamed token; {@code first} adds the assistant role, as OpenAI's first delta does. */
    ObjectNode chatChunk(String text, TokenLogprob logprob, int window, boolean first, boolean logprobs) {
        ObjectNode chunk = envelope("chat.completion.chunk");
        ObjectNode choice = chunk.withArray("choices").addObject().put("index", 0);
        ObjectNode delta = choice.putObject("delta");
        if (first) {
            delta.put("role", Role.ASSISTANT.wireName());
        }
        delta.put("content", text);
        if (logprobs && logprob != null) {
            chatLogprobs(choice.putObject("logprobs").putArray("content"), List.of(logprob));
        } else {
            choice.putNull("logprobs");
        }
        choice.putNull("finish_reason");
        choice.put("nbce_window", window);
        return chunk;
    }

    ObjectNode chatFinalChunk(GenerationResult result) {
        return chatFinalChunk(result, false);
    }

    /** @param calledTools the answer streamed tool calls: the finish reason is "tool_calls" */
    ObjectNode chatFinalChunk(GenerationResult result, boolean calledTools) {
        ObjectNode chunk = envelope("chat.completion.chunk");
        ObjectNode choice = chunk.withArray("choices").addObject().put("index", 0);
        choice.putObject("delta");
        choice.putNull("logprobs");
        choice.put("finish_reason", calledTools ? "tool_calls" : finishReason(result.finishReason()));
        chunk.set("nbce", nbce(result));
        return chunk;
    }

    ObjectNode completion(GenerationResult result, boolean logprobs) {
        return completion(List.of(result), logprobs);
    }

    /** {@code n} completions of the same prompt: choice i is {@code results.get(i)}; the prompt counts once. */
    ObjectNode completion(List<GenerationResult> results, boolean logprobs) {
        ObjectNode body = envelope("text_completion");
        for (int i = 0; i < results.size(); i++) {
            GenerationResult result = results.get(i);
            ObjectNode choice = body.withArray("choices").addObject().put("text", result.text()).put("index", i);
            if (logprobs) {
                choice.set("logprobs", completionLogprobs(result.logprobs()));
            } else {
                choice.putNull("logprobs");
            }
            choice.put("finish_reason", finishReason(result.finishReason()));
            if (results.size() > 1) {
                choice.set("nbce", nbce(result)); // each choice's own ids and windows
            }
        }
        body.set("usage", usage(results));
        body.set("nbce", nbce(results.get(0)));
        return body;
    }

    ObjectNode completionChunk(String text, TokenLogprob logprob, boolean logprobs) {
        ObjectNode chunk = envelope("text_completion");
        ObjectNode choice = chunk.withArray("choices").addObject().put("text", text).put("index", 0);
        if (logprobs && logprob != null) {
            choice.set("logprobs", completionLogprobs(List.of(logprob)));
        } else {
            choice.putNull("logprobs");
        }
        choice.putNull("finish_reason");
        return chunk;
    }

    ObjectNode completionFinalChunk(GenerationResult result) {
        ObjectNode chunk = envelope("text_completion");
        ObjectNode choice = chunk.withArray("choices").addObject().put("text", "").put("index", 0);
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason(result.finishReason()));
        chunk.set("nbce", nbce(result));
        return chunk;
    }

    /** stream_options.include_usage: the last chunk before [DONE], no choices, the usage. */
    ObjectNode usageChunk(String object, GenerationResult result) {
        ObjectNode chunk = envelope(object);
        chunk.set("usage", usage(result));
        return chunk;
    }

    private ObjectNode envelope(String object) {
        ObjectNode node = Json.MAPPER.createObjectNode()
                .put("id", id).put("object", object).put("created", created).put("model", model);
        node.putArray("choices");
        return node;
    }

    private void chatLogprobs(ArrayNode content, List<TokenLogprob> logprobs) {
        for (TokenLogprob lp : logprobs) {
            ObjectNode entry = tokenEntry(content.addObject(), lp.tokenId(), lp.logprob());
            ArrayNode top = entry.putArray("top_logprobs");
            for (int i = 0; i < lp.topIds().length; i++) {
                tokenEntry(top.addObject(), lp.topIds()[i], lp.topLogprobs()[i]);
            }
        }
    }

    private ObjectNode tokenEntry(ObjectNode entry, int tokenId, double logprob) {
        String text = tokenText.apply(tokenId);
        entry.put("token", text).put("logprob", Math.max(logprob, MIN_LOGPROB));
        ArrayNode bytes = entry.putArray("bytes");
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            bytes.add(b & 0xff);
        }
        return entry;
    }

    /** The legacy format: parallel lists, and one {token: logprob} map of alternatives per token. */
    private ObjectNode completionLogprobs(List<TokenLogprob> logprobs) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        ArrayNode tokens = node.putArray("tokens");
        ArrayNode values = node.putArray("token_logprobs");
        ArrayNode tops = node.putArray("top_logprobs");
        ArrayNode offsets = node.putArray("text_offset");
        int offset = 0;
        for (TokenLogprob lp : logprobs) {
            String text = tokenText.apply(lp.tokenId());
            tokens.add(text);
            values.add(Math.max(lp.logprob(), MIN_LOGPROB));
            ObjectNode top = tops.addObject();
            for (int i = 0; i < lp.topIds().length; i++) {
                top.put(tokenText.apply(lp.topIds()[i]), Math.max(lp.topLogprobs()[i], MIN_LOGPROB));
            }
            offsets.add(offset);
            offset += text.length();
        }
        return node;
    }

    /** OpenAI knows "length" and "stop"; an EOS, a stop string or a cancel all read as "stop". */
    private static String finishReason(FinishReason ours) {
        return ours == FinishReason.LENGTH ? "length" : "stop";
    }

    private static ObjectNode usage(GenerationResult result) {
        return usage(List.of(result));
    }

    /** The prompt once (every choice reads the same windows), the completion tokens of all choices. */
    private static ObjectNode usage(List<GenerationResult> results) {
        int prompt = results.get(0).usage().promptTokens();
        int completion = results.stream().mapToInt(r -> r.usage().generatedTokens()).sum();
        return Json.MAPPER.createObjectNode()
                .put("prompt_tokens", prompt)
                .put("completion_tokens", completion)
                .put("total_tokens", prompt + completion);
    }

    private static ObjectNode nbce(GenerationResult result) {
        ObjectNode node = Json.MAPPER.createObjectNode().put("windows", result.windows());
        ArrayNode ids = node.putArray("token_ids");
        for (int t : result.tokenIds()) {
            ids.add(t);
        }
        ArrayNode windows = node.putArray("selected_windows");
        for (int w : result.selectedWindows()) {
            windows.add(w);
        }
        if (result.documentMessage() >= 0) {
            // The conversation did not fit one window: this message's content was windowed as the document.
            node.put("windowed_message", result.documentMessage());
        }
        if (result.selection() != null) {
            node.set("selection", result.selection().toJson());
        }
        return node;
    }
}
