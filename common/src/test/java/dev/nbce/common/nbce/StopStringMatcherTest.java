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

    /**
     * Reference semantics: generation ends with the first delta after which the text so far contains a
     * stop string; the answer is the text before the earliest-starting stop string in it (a longer stop
     * that began earlier but had not completed by then does not count: generation ended first).
     */
    @Test
    void anySplitIntoDeltasShowsExactlyTheTextBeforeTheFirstCompletedStop() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(8);
        int stoppedTrials = 0;
        for (int trial = 0; trial < 2000; trial++) {
            String text = randomText(random, random.nextInt(40));
            List<String> stops = new java.util.ArrayList<>();
            for (int k = 1 + random.nextInt(3); k > 0; k--) {
                stops.add(randomText(random, 1 + random.nextInt(4)));
            }
            StopStringMatcher m = new StopStringMatcher(stops);
            StringBuilder shown = new StringBuilder();
            String expected = null;
            int pos = 0;
            while (pos < text.length() && expected == null) {
                int end = Math.min(text.length(), pos + random.nextInt(5)); // empty deltas too
                shown.append(m.feed(text.substring(pos, end)));
                pos = end;
                int cut = earliestStop(text.substring(0, pos), stops);
                if (cut >= 0) {
                    expected = text.substring(0, cut);
                } else {
                    assertTrue(text.startsWith(shown.toString()), "trial " + trial);
                    assertFalse(m.stopped(), "trial " + trial);
                }
            }
            String what = "trial " + trial + ": " + text + " / " + stops;
            if (expected == null) {
                shown.append(m.flush());
                assertEquals(text, shown.toString(), what);
            } else {
                assertTrue(m.stopped(), what);
                assertEquals(expected, shown.toString(), what);
                assertEquals("", m.flush(), what);
                stoppedTrials++;
            }
        }
        assertTrue(stoppedTrials > 500 && stoppedTrials < 1900, "fixture: " + stoppedTrials + " trials stopped");
    }

    @Test
    void aLongerStopStartingEarlierLosesToAShorterOneThatCompletesFirst() {
        StopStringMatcher m = new StopStringMatcher(List.of("aa", "NaaN"));
        assertEquals("x||N||", run(m, "xN", "a", "a", "N"));
        StopStringMatcher together = new StopStringMatcher(List.of("aa", "NaaN"));
        assertEquals("x||", run(together, "xN", "aaN"), "both complete in one delta: the earliest start wins");
    }

    private static int earliestStop(String text, List<String> stops) {
        int first = -1;
        for (String stop : stops) {
            int at = text.indexOf(stop);
            first = at >= 0 && (first < 0 || at < first) ? at : first;
        }
        return first;
    }

    private static String randomText(java.util.SplittableRandom random, int length) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < length; i++) {
            out.append("ab\n".charAt(random.nextInt(3)));
        }
        return out.toString();
    }

    @Test
    void emptyStopStringIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new StopStringMatcher(List.of("")));
    }
}
