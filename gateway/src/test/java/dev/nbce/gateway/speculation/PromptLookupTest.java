package dev.nbce.gateway.speculation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class PromptLookupTest {
    private static final int[] WINDOW_0 = {10, 11, 12, 13, 14, 15};
    private static final int[] WINDOW_1 = {20, 12, 13, 30, 31, 32, 33};
    private final PromptLookup lookup = new PromptLookup(List.of(WINDOW_0, WINDOW_1));

    @Test
    void theChosenWindowIsSearchedFirstThenTheAnswerThenTheOthers() {
        assertArrayEquals(new int[] {30, 31}, lookup.draft(new int[] {12, 13}, 1, 2), "window 1 was chosen");
        assertArrayEquals(new int[] {14, 15}, lookup.draft(new int[] {12, 13}, 0, 2), "window 0 was chosen");
        assertArrayEquals(new int[] {14, 15}, lookup.draft(new int[] {12, 13}, -1, 2), "no window: the first in order");
        assertArrayEquals(new int[] {7, 12}, lookup.draft(new int[] {12, 7, 12}, -1, 2),
                "the answer before the other windows");
    }

    @Test
    void theLongestSuffixThatOccursWinsAndDraftsStopWhereTheirSourceEnds() {
        // [99, 12, 13] occurs nowhere, [12, 13] does; the three-token suffix [5, 12, 13] is not needed.
        assertArrayEquals(new int[] {30, 31, 32, 33}, lookup.draft(new int[] {99, 12, 13}, 1, 8));
        assertArrayEquals(new int[] {13, 30}, lookup.draft(new int[] {20, 12}, 0, 2),
                "[20, 12] is only in window 1, so it beats the shorter match [12] in the chosen window");
        assertArrayEquals(new int[0], lookup.draft(new int[] {33}, 1, 4), "nothing follows the window's last token");
        assertArrayEquals(new int[0], lookup.draft(new int[] {77}, 1, 4), "no occurrence");
        assertArrayEquals(new int[0], lookup.draft(new int[0], 1, 4), "nothing to look up yet");
        assertArrayEquals(new int[0], lookup.draft(new int[] {12}, 1, 0), "no room");
    }
}
