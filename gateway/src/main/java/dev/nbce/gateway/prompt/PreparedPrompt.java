package dev.nbce.gateway.prompt;

import dev.nbce.gateway.request.WindowSource;
import java.util.List;

/**
 * The rows of one request, ready for prefill.
 *
 * @param windows the context windows, in order; window i is row i + 1
 * @param windowSources where each window came from: its context and character range there
 * @param rowTokenIds the prompt ids of every row, row 0 (no context) first; do not modify the arrays
 * @param promptTokensPerRow {@code rowTokenIds.get(r).length} for every row
 */
public record PreparedPrompt(List<String> windows, List<WindowSource> windowSources, List<int[]> rowTokenIds,
                             int[] promptTokensPerRow) {

    public PreparedPrompt {
        windows = List.copyOf(windows);
        windowSources = List.copyOf(windowSources);
        if (windowSources.size() != windows.size()) {
            throw new IllegalArgumentException(windowSources.size() + " sources for " + windows.size() + " windows");
        }
        rowTokenIds = List.copyOf(rowTokenIds);
        promptTokensPerRow = promptTokensPerRow.clone();
        if (rowTokenIds.size() != windows.size() + 1) {
            throw new IllegalArgumentException(
                    rowTokenIds.size() + " rows for " + windows.size() + " windows; expected windows + 1");
        }
        if (promptTokensPerRow.length != rowTokenIds.size()) {
            throw new IllegalArgumentException("promptTokensPerRow must have one entry per row");
        }
        for (int r = 0; r < rowTokenIds.size(); r++) {
            if (promptTokensPerRow[r] != rowTokenIds.get(r).length || promptTokensPerRow[r] == 0) {
                throw new IllegalArgumentException("row " + r + " has an empty or miscounted prompt");
            }
        }
    }

    /** Rows including row 0. */
    public int rows() {
        return rowTokenIds.size();
    }

    @Override
    public int[] promptTokensPerRow() {
        return promptTokensPerRow.clone();
    }
}
