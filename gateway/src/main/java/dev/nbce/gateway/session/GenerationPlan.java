package dev.nbce.gateway.session;

import dev.nbce.common.step.LogitRules;
import dev.nbce.gateway.request.GenerationRequest;
import dev.nbce.gateway.request.Usage;
import dev.nbce.gateway.request.WindowSource;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Everything a session needs, prepared by the gateway before any row is placed.
 *
 * @param rowTokenIds   the prompt of each row, row 0 (no context) first
 * @param windowSources where each window (rows 1..n) came from in the request's contexts
 * @param eosIds        ids that end the answer
 * @param maxPositions  the model's max_position_embeddings: no row may grow beyond it
 * @param documentMessage the message the gateway windowed as the document (a conversation too long for
 *                      one window), -1 when none
 * @param windowTexts   the text of each window (what a window selection reads)
 */
public record GenerationPlan(String requestId, GenerationRequest request, List<int[]> rowTokenIds,
                             List<WindowSource> windowSources, Set<Integer> eosIds, int maxPositions,
                             int documentMessage, List<String> windowTexts) {
    public GenerationPlan {
        rowTokenIds = List.copyOf(rowTokenIds);
        windowSources = List.copyOf(windowSources);
        eosIds = Set.copyOf(eosIds);
        windowTexts = List.copyOf(windowTexts);
        if (rowTokenIds.size() != windowSources.size() + 1) {
            throw new IllegalArgumentException("expected one row per window plus row 0");
        }
        if (windowTexts.size() != windowSources.size()) {
            throw new IllegalArgumentException("expected one text per window");
        }
    }

    /**
     * A request without an answer budget gets the room its longest row leaves, at most {@code limit}
     * (the server's max_new_tokens); others are returned as they are.
     */
    public GenerationPlan withAnswerRoom(int limit) {
        if (!request.fillWindow()) {
            return this;
        }
        int room = Math.max(1, Math.min(Math.min(limit, GenerationRequest.MAX_NEW_TOKENS_LIMIT), maxPositions - longestPrompt()));
        return new GenerationPlan(requestId, request.withMaxNewTokens(room, false), rowTokenIds, windowSources, eosIds,
                maxPositions, documentMessage, windowTexts);
    }

    /** What every row does to its logits before top-p: the request's logit bias and constraint, with the EOS ids. */
    public LogitRules logitRules() {
        if (request.constraint() == null && request.logitBias().isEmpty()) {
            return LogitRules.NONE;
        }
        int[] biasIds = request.logitBias().keySet().stream().mapToInt(Integer::intValue).toArray();
        double[] biasValues = request.logitBias().values().stream().mapToDouble(Double::doubleValue).toArray();
        return new LogitRules(request.constraint() == null ? null : request.constraint().toJson(),
                eosIds.stream().mapToInt(Integer::intValue).sorted().toArray(), biasIds, biasValues);
    }

    public int rowCount() {
        return rowTokenIds.size();
    }

    public int windowCount() {
        return windowSources.size();
    }

    public int longestPrompt() {
        return rowTokenIds.stream().mapToInt(r -> r.length).max().orElse(0);
    }

    /** The context a window came from; -1 for the no-context row's "window" -1. */
    public int contextOf(int window) {
        return window < 0 ? -1 : windowSources.get(window).context();
    }

    /** Prompt tokens of every row and in all, with {@code generated} answer tokens. */
    public Usage usage(int generated) {
        int[] perRow = rowTokenIds.stream().mapToInt(r -> r.length).toArray();
        return new Usage(perRow, Arrays.stream(perRow).sum(), generated);
    }
}
