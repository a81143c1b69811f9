package dev.nbce.gateway.session;

/**
 * A request failed for a reason the client can be told: {@code code} is machine-readable
 * (no_capacity, no_workers, worker_failed, bad_request, internal, …), the message is one line.
 */
public final class SessionException extends RuntimeException {
    private final String code;
    private final boolean retryable;

    public SessionException(String code, String message) {
        this(code, message, false);
    }

    /** @param retryable true when the rows may succeed on another worker (timeouts, a dead worker) */
    public SessionException(String code, String message, boolean retryable) {
        super(message, null, false, false);
        this.code = code;
        this.retryable = retryable;
    }

    public String code() {
        return code;
    }

    public boolean retryable() {
        return retryable;
    }

    /** One line about any failure, without class names or stack traces. */
    public static String describe(Throwable cause) {
        String message = cause.getMessage();
        return message == null || message.isBlank() ? "unexpected failure" : message.lines().findFirst().orElse("");
    }
}
