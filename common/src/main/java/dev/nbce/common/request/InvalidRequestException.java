package dev.nbce.common.request;

import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;

/**
 * A request that cannot be served as sent. The message is one line meant for the client: control
 * characters (including any echoed from the request) are escaped, and it is capped in length, so it
 * can go into an HTTP body, an SSE event or a WebSocket frame as it is. Its code is
 * {@link ErrorCode#BAD_REQUEST}.
 */
public final class InvalidRequestException extends NbceException {
    static final int MAX_MESSAGE_LENGTH = 400;

    private final String field;

    /** @param field the offending JSON field (dotted path), or null when the request as a whole is wrong */
    public InvalidRequestException(String field, String message) {
        super(ErrorCode.BAD_REQUEST, oneLine(message));
        this.field = field;
    }

    /** The offending JSON field as a dotted path (e.g. "nbce.beta"), or null. */
    public String field() {
        return field;
    }

    static String oneLine(String message) {
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
