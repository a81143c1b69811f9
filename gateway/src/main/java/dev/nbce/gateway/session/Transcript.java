package dev.nbce.gateway.session;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The tokens generated so far, each with the row it was drawn from: what every row has appended
 * to its prompt. Its length is also the number of the step being computed.
 */
final class Transcript {
    private int[] tokens = new int[16];
    private int[] chosenRows = new int[16];
    private int size;
    /** How often each token was generated: what the repetition penalties count. */
    private final Map<Integer, Integer> counts = new HashMap<>();

    void append(int token, int chosenRow) {
        if (size == tokens.length) {
            tokens = Arrays.copyOf(tokens, size * 2);
            chosenRows = Arrays.copyOf(chosenRows, size * 2);
        }
        tokens[size] = token;
        chosenRows[size] = chosenRow;
        size++;
        counts.merge(token, 1, Integer::sum);
    }

    /** Token id to the number of times it was generated so far (read-only view). */
    Map<Integer, Integer> counts() {
        return java.util.Collections.unmodifiableMap(counts);
    }

    /** Tokens generated, which is also the step whose reports are awaited. */
    int size() {
        return size;
    }

    /** The row chosen at the last step (it gets the stickiness bonus next); -1 before the first. */
    int previousChosenRow() {
        return size == 0 ? -1 : chosenRows[size - 1];
    }

    /** A row's prompt plus every token generated so far: what a worker taking the row over prefills. */
    int[] appendedTo(int[] prompt) {
        int[] all = Arrays.copyOf(prompt, prompt.length + size);
        System.arraycopy(tokens, 0, all, prompt.length, size);
        return all;
    }

    int[] tokenIds() {
        return Arrays.copyOf(tokens, size);
    }

    /** The 0-based window of each token (row − 1; -1 for the no-context row). */
    int[] selectedWindows() {
        int[] windows = new int[size];
        for (int i = 0; i < size; i++) {
            windows[i] = chosenRows[i] - 1;
        }
        return windows;
    }
}
