package dev.nbce.common.nbce;

import java.util.List;

/**
 * Stop strings over streamed text: emits text as soon as it cannot be the start of a stop string,
 * holds back a possible prefix, and ends at the earliest stop string, which is not emitted (as
 * OpenAI's API does). One matcher per generation; not thread-safe.
 */
public final class StopStringMatcher {
    private final List<String> stops;
    private final int longest;
    private final StringBuilder pending = new StringBuilder();
    private boolean stopped;

    /** @param stops non-empty strings; null or empty = never stop */
    public StopStringMatcher(List<String> stops) {
        this.stops = stops == null ? List.of() : List.copyOf(stops);
        if (this.stops.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("a stop string must not be empty");
        }
        this.longest = this.stops.stream().mapToInt(String::length).max().orElse(0);
    }

    /** Adds generated text; returns what is safe to show now. */
    public String feed(String delta) {
        if (stopped || delta == null) {
            return "";
        }
        if (stops.isEmpty()) {
            return delta;
        }
        pending.append(delta);
        int cut = firstStop();
        if (cut >= 0) {
            stopped = true;
            String out = pending.substring(0, cut);
            pending.setLength(0);
            return out;
        }
        int safe = pending.length() - heldBack();
        String out = pending.substring(0, safe);
        pending.delete(0, safe);
        return out;
    }

    public boolean stopped() {
        return stopped;
    }

    /** At the end of generation: the held-back text (no stop string followed). */
    public String flush() {
        if (stopped) {
            return "";
        }
        String out = pending.toString();
        pending.setLength(0);
        return out;
    }

    private int firstStop() {
        int first = -1;
        for (String stop : stops) {
            int at = pending.indexOf(stop);
            if (at >= 0 && (first < 0 || at < first)) {
                first = at;
            }
        }
        return first;
    }

    /** Length of the longest suffix of the pending text that begins some stop string. */
    private int heldBack() {
        int max = Math.min(longest - 1, pending.length());
        for (int len = max; len > 0; len--) {
            String suffix = pending.substring(pending.length() - len);
            for (String stop : stops) {
                if (stop.startsWith(suffix)) {
                    return len;
                }
            }
        }
        return 0;
    }
}
