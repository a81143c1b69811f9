package dev.nbce.common.nbce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopStringMatcherTest {
    /** Feeds the deltas; returns everything emitted, with "|" where each feed's output ends. */
    private static String run(StopStringMatcher m, String... deltas) {
        StringBuilder out = new StringBuilder();
        for (String d : deltas) {
            out.append(m.feed(d)).append('|');
        }
        return out.append(m.flush()).toString();
    }

    @Test
    void withoutStopStringsEverythingPassesAtOnce() {
        StopStringMatcher m = new StopStringMatcher(List.of());
        assertEquals("ab|\n\n|c|", run(m, "ab", "\n\n", "c"));
        assertFalse(m.stopped());
    }

    @Test
    void stopStringSplitAcrossDeltasIsHeldBackThenDropped() {
        StopStringMatcher m = new StopStringMatcher(List.of("\n\n"));
        assertEquals("Paris|.||", run(m, "Paris", ".\n", "\nNext"));
        assertTrue(m.stopped());
    }

    @Test
    void heldBackPrefixIsReleasedWhenTheStopDoesNotFollow() {
        StopStringMatcher m = new StopStringMatcher(List.of("END"));
        assertEquals("a||ENx|", run(m, "aE", "N", "x"));
        assertFalse(m.stopped());
        StopStringMatcher tail = new StopStringMatcher(List.of("END"));
        assertEquals("a|EN", run(tail, "aEN"), "flush releases a prefix left at the end");
    }

    @Test
    void stopInsideOneDeltaCutsThere() {
        StopStringMatcher m = new StopStringMatcher(List.of("###"));
        assertEquals("answer|", run(m, "answer### more"));
        assertTrue(m.stopped());
        assertEquals("", m.feed("ignored"), "nothing after the stop");
    }

    @Test
    void earliestOfSeveralStopStringsWins() {
        StopStringMatcher m = new StopStringMatcher(List.of("world", "lo w", "o"));
        assertEquals("hel|", run(m, "hello world"), "\"lo w\" starts before \"o\" and \"world\"");
        StopStringMatcher n = new StopStringMatcher(List.of("cd", "bcde"));
        assertEquals("a||", run(n, "ab", "cdef"), "bcde starts first");
    }

    @Test
    void stopStringAcrossManySingleCharacterDeltas() {
        StopStringMatcher m = new StopStringMatcher(List.of("</answer>"));
        String text = "42</answer>trailing";
        StringBuilder shown = new StringBuilder();
        for (char c : text.toCharArray()) {
            shown.append(m.feed(String.valueOf(c)));
        }
        shown.append(m.flush());
        assertEquals("42", shown.toString());
        assertTrue(m.stopped());
    }

    @Test
    void overlappingPrefixesAreHandled() {
        StopStringMatcher m = new StopStringMatcher(List.of("aab"));
        assertEquals("||a|aaxy|", run(m, "a", "a", "a", "xy"), "after \"aaa\" only \"aa\" can still start the stop");
        StopStringMatcher n = new StopStringMatcher(List.of("aab"));
        assertEquals("||a||", run(n, "a", "a", "a", "b"), "the first a is safe once a third arrives");
        assertTrue(n.stopped());
    }

    @Test
    void emptyStopStringIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new StopStringMatcher(List.of("")));
    }
}
