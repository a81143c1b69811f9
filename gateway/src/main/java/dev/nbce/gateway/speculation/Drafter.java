package dev.nbce.gateway.speculation;

import java.util.List;

/** Proposes the tokens that may follow a request's answer so far; the rows verify them (docs/speculative-decoding.md). */
public interface Drafter {
    /**
     * @param answer the answer so far
     * @param window the window chosen for the last token (0-based; -1 for none): where the answer is copying from
     * @param max    the most tokens to propose (> 0)
     * @return up to {@code max} tokens, possibly none
     */
    int[] draft(int[] answer, int window, int max);

    /** Makes the drafter of one request from its windows' row prompts. */
    @FunctionalInterface
    interface Factory {
        Drafter forWindows(List<int[]> windowPrompts);
    }
}
