package dev.nbce.common.request;

/** A request that cannot be served as sent; the message is one line meant for the client. */
public final class InvalidRequestException extends RuntimeException {
    private final String field;

    /** @param field the offending JSON field (dotted path), or null when the request as a whole is wrong */
    public InvalidRequestException(String field, String message) {
        super(message, null, false, false);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
