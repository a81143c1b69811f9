package dev.nbce.common.request;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.Set;

/**
 * The answer to a request (DESIGN.md §4).
 *
 * @param tokenIds        generated token ids (without the stop string's tokens' text, which is cut from {@code text})
 * @param selectedWindows 0-based window each token was drawn from (-1 when there are no contexts)
 * @param finishReason    {@value #EOS}, {@value #STOP}, {@value #LENGTH} or {@value #CANCELLED}
 * @param windows         number of context windows after windowing
 */
public record GenerationResult(String text, int[] tokenIds, int[] selectedWindows, String finishReason, Usage usage,
                               int windows) {
    public static final String EOS = "eos";
    public static final String STOP = "stop";
    public static final String LENGTH = "length";
    public static final String CANCELLED = "cancelled";
    private static final Set<String> FINISH_REASONS = Set.of(EOS, STOP, LENGTH, CANCELLED);

    public GenerationResult {
        if (text == null || tokenIds == null || selectedWindows == null || usage == null) {
            throw new IllegalArgumentException("result: text, token ids, windows and usage are required");
        }
        if (tokenIds.length != selectedWindows.length) {
            throw new IllegalArgumentException("result: one selected window per token");
        }
        if (!FINISH_REASONS.contains(finishReason)) {
            throw new IllegalArgumentException("result: unknown finish reason " + finishReason);
        }
    }

    /** {text, token_ids, selected_windows, finish_reason, usage: {prompt_tokens_per_row, prompt_tokens, generated_tokens}, windows} */
    public ObjectNode toJson() {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("text", text);
        ints(node.putArray("token_ids"), tokenIds);
        ints(node.putArray("selected_windows"), selectedWindows);
        node.put("finish_reason", finishReason);
        ObjectNode u = node.putObject("usage");
        ints(u.putArray("prompt_tokens_per_row"), usage.promptTokensPerRow());
        u.put("prompt_tokens", usage.promptTokens());
        u.put("generated_tokens", usage.generatedTokens());
        node.put("windows", windows);
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
                && Arrays.equals(r.selectedWindows, selectedWindows) && r.finishReason.equals(finishReason)
                && r.usage.equals(usage) && r.windows == windows;
    }

    @Override
    public int hashCode() {
        return ((text.hashCode() * 31 + Arrays.hashCode(tokenIds)) * 31 + finishReason.hashCode()) * 31 + windows;
    }

    @Override
    public String toString() {
        return "GenerationResult[text=" + text + ", tokenIds=" + Arrays.toString(tokenIds) + ", selectedWindows="
                + Arrays.toString(selectedWindows) + ", finishReason=" + finishReason + ", usage=" + usage
                + ", windows=" + windows + "]";
    }
}
