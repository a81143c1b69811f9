package dev.nbce.gateway.request;

import java.util.Arrays;

/**
 * Token counts of one generation.
 *
 * @param promptTokensPerRow prompt tokens of each row, row 0 (no context) first
 * @param promptTokens       their sum
 * @param generatedTokens    tokens generated
 */
public record Usage(int[] promptTokensPerRow, int promptTokens, int generatedTokens) {
    public Usage {
        if (promptTokensPerRow == null || promptTokens < 0 || generatedTokens < 0) {
            throw new IllegalArgumentException("usage: per-row counts required, totals must be >= 0");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Usage u && Arrays.equals(u.promptTokensPerRow, promptTokensPerRow)
                && u.promptTokens == promptTokens && u.generatedTokens == generatedTokens;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(promptTokensPerRow) + promptTokens) + generatedTokens;
    }

    @Override
    public String toString() {
        return "Usage[promptTokensPerRow=" + Arrays.toString(promptTokensPerRow) + ", promptTokens=" + promptTokens
                + ", generatedTokens=" + generatedTokens + "]";
    }
}
