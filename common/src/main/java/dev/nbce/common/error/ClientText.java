package dev.nbce.common.error;

import java.util.regex.Pattern;

/**
 * Text meant for a client in an error: one line, whatever it quotes from the request. Every error
 * writer (HTTP body, SSE event, WebSocket frame) passes its message through {@link #oneLine}, so no
 * producer can leak a raw newline or control character into a log line or a frame.
 */
public final class ClientText {
    /** The longest message a client is sent. */
    public static final int MAX_MESSAGE_LENGTH = 400;

    /**
     * What only code says: a qualified class name ({@code com.fasterxml.jackson.databind.JsonNode},
     * {@code java.lang.String}), a backquoted identifier (how Jackson names its types and features), or
     * a class whose name ends like one ({@code NumberFormatException}, {@code ObjectNode}).
     */
    private static final Pattern CODE = Pattern.compile(
            "\\b[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+\\.[A-Z]\\w*|`"
            + "|\\b[A-Z]\\w*[a-z](Exception|Error|Node|Parser|Feature|Deserializer)\\b");

    private ClientText() {}

    /**
     * Whether a message names a class, package or option of the code rather than something of the
     * request: such text (a library's exception message) is replaced before it reaches a client.
     */
    public static boolean namesCode(String message) {
        return message != null && CODE.matcher(message).find();
    }

    /** At most {@code max} characters of client-supplied text, for quoting inside a message. */
    public static String excerpt(String text, int max) {
        return text.length() > max ? text.substring(0, max) + "…" : text;
    }

    /** Control characters escaped as {@code \\uXXXX}, capped at {@link #MAX_MESSAGE_LENGTH}. */
    public static String oneLine(String message) {
        if (message == null || message.isBlank()) {
            return "invalid request";
        }
        StringBuilder out = new StringBuilder(Math.min(message.length(), MAX_MESSAGE_LENGTH) + 8);
        int i = 0;
        for (; i < message.length() && out.length() < MAX_MESSAGE_LENGTH; i++) {
            char c = message.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (i < message.length()) {
            out.setLength(Math.min(out.length(), MAX_MESSAGE_LENGTH));
            if (Character.isHighSurrogate(out.charAt(out.length() - 1))) {
                out.setLength(out.length() - 1);
            }
            out.append('…');
        }
        return out.toString();
    }
}
