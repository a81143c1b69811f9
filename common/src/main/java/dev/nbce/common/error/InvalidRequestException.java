package dev.nbce.common.error;

/**
 * A request that cannot be served as sent. The message is one line meant for the client: control
 * characters (including any echoed from the request) are escaped, and it is capped in length, so it
 * can go into an HTTP body, an SSE event or a WebSocket frame as it is. Its code is
 * {@link ErrorCode#BAD_REQUEST}.
 */
public final class InvalidRequestException extends NbceException {
    private final String field;

    /** @param field the offending JSON field (dotted path), or null when the request as a whole is wrong */
    public InvalidRequestException(String field, String message) {
        super(ErrorCode.BAD_REQUEST, ClientText.oneLine(message));
        this.field = field;
    }

    /** The offending JSON field as a dotted path (e.g. "nbce.beta"), or null. */
    public String field() {
        return field;
    }

}
