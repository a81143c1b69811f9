package dev.nbce.gateway.session;

import dev.nbce.common.request.GenerationRequest;
import java.util.List;
import java.util.Set;

/**
 * Everything a session needs, prepared by the gateway before any row is placed.
 *
 * @param rowTokenIds  the prompt of each row, row 0 (no context) first
 * @param windows      the window texts, rows 1..n
 * @param eosIds       ids that end the answer
 * @param maxPositions the model's max_position_embeddings: no row may grow beyond it
 */
public record GenerationPlan(String requestId, GenerationRequest request, List<int[]> rowTokenIds,
                             List<String> windows, Set<Integer> eosIds, int maxPositions) {
    public GenerationPlan {
        rowTokenIds = List.copyOf(rowTokenIds);
        windows = List.copyOf(windows);
        eosIds = Set.copyOf(eosIds);
        if (rowTokenIds.size() != windows.size() + 1) {
            throw new IllegalArgumentException("expected one row per window plus row 0");
        }
    }

    public int rowCount() {
        return rowTokenIds.size();
    }

    public int longestPrompt() {
        return rowTokenIds.stream().mapToInt(r -> r.length).max().orElse(0);
    }
}
