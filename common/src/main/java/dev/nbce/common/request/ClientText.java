package dev.nbce.common.request;

/**
 * Client-supplied text quoted back in an error message: at most {@code max} characters and no
 * control characters, so every error stays one clean line (no injected newlines in logs or frames).
 */
public final class ClientText {
    private ClientText() {}

    public static String excerpt(String text, int max) {
        String cut = text.length() > max ? text.substring(0, max) + "…" : text;
        StringBuilder out = new StringBuilder(cut.length());
        cut.codePoints().forEach(c -> out.appendCodePoint(
                Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? '?' : c));
        return out.toString();
    }
}
