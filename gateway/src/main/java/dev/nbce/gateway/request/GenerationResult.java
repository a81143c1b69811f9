package dev.nbce.gateway.request;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.nbce.TokenLogprob;
import java.util.Arrays;
import java.util.List;

/**
 * The answer to a request (docs/api.md: Result).
 *
 * @param tokenIds        generated token ids (without the stop string's tokens' text, which is cut from {@code text})
 * @param selectedWindows 0-based window each token was drawn from (-1 when there are no contexts)
 * @param windowSources   where each context window came from, window 0 first
 * @param logprobs        one per generated token, the EOS that ended the answer excepted, when the request
 *                        asked for them; else empty
 * @param documentMessage the message whose content the gateway windowed as the document because the
 *                        conversation did not fit one window; -1 when it did not
 * @param selection       what the request's window selection kept and when it dropped the rest; null without one
 */
public record GenerationResult(String text, int[] tokenIds, int[] selectedWindows, FinishReason finishReason, Usage usage,
                               List<WindowSource> windowSources, List<TokenLogprob> logprobs, int documentMessage,
                               SelectionOutcome selection) {
    public GenerationResult {
        if (text == null || tokenIds == null || selectedWindows == null || usage == null || finishReason == null
                || windowSources == null) {
            throw new IllegalArgumentException("result: text, token ids, windows, finish reason, usage and sources are required");
        }
        if (tokenIds.length != selectedWindows.length) {
            throw new IllegalArgumentException("result: one selected window per token");
        }
        windowSources = List.copyOf(windowSources);
        logprobs = logprobs == null ? List.of() : List.copyOf(logprobs);
        if (logprobs.size() > tokenIds.length) {
            throw new IllegalArgumentException("result: at most one log-probability entry per token");
        }
    }

    public GenerationResult(String text, int[] tokenIds, int[] selectedWindows, FinishReason finishReason, Usage usage,
                            List<WindowSource> windowSources, List<TokenLogprob> logprobs, int documentMessage) {
        this(text, tokenIds, selectedWindows, finishReason, usage, windowSources, logprobs, documentMessage, null);
    }

    public GenerationResult(String text, int[] tokenIds, int[] selectedWindows, FinishReason finishReason, Usage usage,
                            List<WindowSource> windowSources) {
        this(text, tokenIds, selectedWindows, finishReason, usage, windowSources, List.of(), -1);
    }

    /** Number of context windows after windowing. */
    public int windows() {
        return windowSources.size();
    }

    /**
     * {text, token_ids, selected_windows, finish_reason, usage: {prompt_tokens_per_row, prompt_tokens,
     * generated_tokens}, windows, window_sources: [{context, start, end}, …], selection: {rule, kept_windows,
     * dropped_at_step} when the request selects windows}
     */
    public ObjectNode toJson() {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("text", text);
        ints(node.putArray("token_ids"), tokenIds);
        ints(node.putArray("selected_windows"), selectedWindows);
        node.put("finish_reason", finishReason.wireName());
        ObjectNode u = node.putObject("usage");
        ints(u.putArray("prompt_tokens_per_row"), usage.promptTokensPerRow());
        u.put("prompt_tokens", usage.promptTokens());
        u.put("generated_tokens", usage.generatedTokens());
        node.put("windows", windows());
        ArrayNode sources = node.putArray("window_sources");
        for (WindowSource source : windowSources) {
            sources.addObject().put("context", source.context()).put("start", source.start()).put("end", source.end());
        }
        if (documentMessage >= 0) {
            node.put("document_message", documentMessage);
        }
        if (selection != null) {
            node.set("selection", selection.toJson());
        }
        if (!logprobs.isEmpty()) {
            ArrayNode entries = node.putArray("logprobs");
            for (TokenLogprob lp : logprobs) {
                ObjectNode entry = entries.addObject().put("token_id", lp.tokenId()).put("logprob", Math.max(lp.logprob(), -9999.0));
                ArrayNode top = entry.putArray("top");
                for (int i = 0; i < lp.topIds().length; i++) {
                    top.addObject().put("token_id", lp.topIds()[i]).put("logprob", Math.max(lp.topLogprobs()[i], -9999.0));
                }
            }
        }
        return node;
    }

    private static void ints(ArrayNode array, int[] values) {
        for (int v : values) {
            array.add(v);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GenerationResult r && r.text.equals(text) && Arrays.equals(r.tokenIds, tokenIds)
                && Arrays.equals(r.selectedWindows, selectedWindows) && r.finishReason == finishReason
                && r.usage.equals(usage) && r.windowSources.equals(windowSources) && r.logprobs.equals(logprobs)
                && r.documentMessage == documentMessage && java.util.Objects.equals(r.selection, selection);
    }

    @Override
    public int hashCode() {
        return ((text.hashCode() * 31 + Arrays.hashCode(tokenIds)) * 31 + finishReason.hashCode()) * 31
                + windowSources.hashCode();
    }

    @Override
    public String toString() {
        return "GenerationResult[text=" + text + ", tokenIds=" + Arrays.toString(tokenIds) + ", selectedWindows="
                + Arrays.toString(selectedWindows) + ", finishReason=" + finishReason + ", usage=" + usage
                + ", windowSources=" + windowSources + "]";
    }
}
