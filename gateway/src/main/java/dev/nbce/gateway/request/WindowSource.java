package dev.nbce.gateway.request;

/**
 * Where a context window came from: {@code context.substring(start, end)} of the request's context
 * number {@code context} is exactly the window's text (a {@code document} is context 0). Offsets
 * count UTF-16 code units, as Java and JavaScript strings index them; {@code end} is exclusive.
 */
public record WindowSource(int context, int start, int end) {
    public WindowSource {
        if (context < 0 || start < 0 || end <= start) {
            throw new IllegalArgumentException("window source: context >= 0 and a non-empty range required, got "
                    + context + " [" + start + ", " + end + ")");
        }
    }
}
