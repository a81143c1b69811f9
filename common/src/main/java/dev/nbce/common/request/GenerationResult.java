package dev.nbce.common.request;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The answer to a request (DESIGN.md §4).
 *
 * @param selectedWindows 0-based window each token was drawn from (-1 when there are no contexts)
 * @param finishReason    "eos", "stop", "length" or "cancelled"
 * @param windows         number of context windows after windowing
 */
public record GenerationResult(String text, int[] tokenIds, int[] selectedWindows, String finishReason, Usage usage,
                               int windows) {
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
}
