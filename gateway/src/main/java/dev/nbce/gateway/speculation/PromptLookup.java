package dev.nbce.gateway.speculation;

import java.util.Arrays;
import java.util.List;

/**
 * Drafts by prompt lookup: the tokens that followed the answer's last n-gram where it occurred before. Long-document
 * answers copy spans of their windows (names, figures, quotes), so such drafts are often right and cost nothing to
 * make. NBCE says where the answer is copying from, the window chosen for the last token, so that window is searched
 * first, then the answer itself, then the other windows in order. The longest n-gram (up to {@value #MAX_NGRAM}) that
 * occurs anywhere wins; in a window its first occurrence, in the answer its latest.
 */
public final class PromptLookup implements Drafter {
    /** The longest suffix of the answer that is looked up. */
    static final int MAX_NGRAM = 3;
    private final List<int[]> windows;

    /** @param windowPrompts what answers copy from: each window's row prompt, in window order */
    public PromptLookup(List<int[]> windowPrompts) {
        this.windows = List.copyOf(windowPrompts);
    }

    @Override
    public int[] draft(int[] answer, int window, int max) {
        if (max <= 0 || answer.length == 0) {
            return new int[0];
        }
        boolean preferred = window >= 0 && window < windows.size();
        for (int n = Math.min(MAX_NGRAM, answer.length); n >= 1; n--) {
            int[] found = preferred ? inWindow(windows.get(window), answer, n, max) : null;
            if (found == null) {
                found = inAnswer(answer, n, max);
            }
            for (int w = 0; w < windows.size() && found == null; w++) {
                found = w == window ? null : inWindow(windows.get(w), answer, n, max);
            }
            if (found != null) {
                return found;
            }
        }
        return new int[0];
    }

    /** The latest earlier occurrence of the answer's last n tokens inside the answer, and what followed it. */
    private static int[] inAnswer(int[] answer, int n, int max) {
        for (int start = answer.length - n - 1; start >= 0; start--) {
            if (matches(answer, start, answer, answer.length - n, n)) {
                int from = start + n;
                return Arrays.copyOfRange(answer, from, Math.min(answer.length, from + max));
            }
        }
        return null;
    }

    /** The first occurrence of the answer's last n tokens in a window with a token after it, and what follows. */
    private static int[] inWindow(int[] source, int[] answer, int n, int max) {
        for (int start = 0; start + n < source.length; start++) {
            if (matches(source, start, answer, answer.length - n, n)) {
                int from = start + n;
                return Arrays.copyOfRange(source, from, Math.min(source.length, from + max));
            }
        }
        return null;
    }

    private static boolean matches(int[] a, int aFrom, int[] b, int bFrom, int n) {
        for (int i = 0; i < n; i++) {
            if (a[aFrom + i] != b[bFrom + i]) {
                return false;
            }
        }
        return true;
    }
}
