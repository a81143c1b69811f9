package dev.nbce.common.error;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.OptionalInt;

/**
 * A failure with an {@link ErrorCode} and a one-line message meant for the client. The one type an
 * error has from where it is raised (a worker's engine, the gateway's step loop, the API) to the
 * client; {@link #of(Throwable)} is the one mapping of any other throwable onto it.
 */
public class NbceException extends RuntimeException {
    private final ErrorCode code;
    private final int retryAfterSeconds;

    public NbceException(ErrorCode code, String message) {
        this(code, message, 0);
    }

    /** @param retryAfterSeconds when the client may try again (HTTP Retry-After); 0 = no estimate */
    public NbceException(ErrorCode code, String message, int retryAfterSeconds) {
        super(message, null, false, false); // no stack trace: the code and message say what happened
        if (code == null || retryAfterSeconds < 0) {
            throw new IllegalArgumentException("an error needs a code and a retry estimate >= 0");
        }
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public ErrorCode code() {
        return code;
    }

    public OptionalInt retryAfterSeconds() {
        return retryAfterSeconds > 0 ? OptionalInt.of(retryAfterSeconds) : OptionalInt.empty();
    }

    /**
     * Any failure as an NbceException: itself, the cause of a future's wrapper, or — for anything we
     * did not raise on purpose — {@link ErrorCode#INTERNAL} with the failure's first line.
     */
    public static NbceException of(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof NbceException known ? known : new NbceException(ErrorCode.INTERNAL, describe(cause));
    }

    /**
     * One line about any failure, without class names or stack traces: a message that names code (a
     * library's, e.g. a parser's "bound as `com.fasterxml...`") is not passed on, the failure is only
     * called unexpected.
     */
    public static String describe(Throwable cause) {
        String message = cause == null ? null : cause.getMessage();
        String line = message == null ? "" : message.lines().findFirst().orElse("");
        return line.isBlank() || ClientText.namesCode(line) ? "unexpected failure" : line;
    }
}
