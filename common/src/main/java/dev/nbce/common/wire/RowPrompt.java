package dev.nbce.common.wire;

import java.util.Arrays;

/** A row to place on a worker: its global row number (0 = no context) and every token it must prefill. */
public record RowPrompt(int row, int[] tokenIds) {
    public RowPrompt {
        if (row < 0 || tokenIds == null) {
            throw new IllegalArgumentException("row prompt: row >= 0 and token ids required");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RowPrompt p && p.row == row && Arrays.equals(p.tokenIds, tokenIds);
    }

    @Override
    public int hashCode() {
        return 31 * row + Arrays.hashCode(tokenIds);
    }

    @Override
    public String toString() {
        return "RowPrompt[row=" + row + ", " + tokenIds.length + " tokens]";
    }
}
