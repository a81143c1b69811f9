package dev.nbce.common.wire;

import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;

/**
 * A worker's refusal as it travels in an event-bus failure message, whose payload is a string:
 * "code:message" with the code's wire name.
 */
public record WireError(ErrorCode code, String message) {
    /** Event-bus failure code used for every worker refusal; the detail is in the message. */
    public static final int FAILURE_CODE = 4200;

    public WireError {
        if (code == null || message == null) {
            throw new IllegalArgumentException("wire error: code and message required");
        }
    }

    public static WireError of(NbceException e) {
        return new WireError(e.code(), String.valueOf(e.getMessage()));
    }

    public String encode() {
        return code.wireName() + ":" + message;
    }

    public NbceException toException() {
        return new NbceException(code, message);
    }

    /** Reads "code:message"; text without a known code is an {@link ErrorCode#INTERNAL} error. */
    public static WireError decode(String encoded) {
        if (encoded == null) {
            return new WireError(ErrorCode.INTERNAL, "worker gave no reason");
        }
        int colon = encoded.indexOf(':');
        return (colon <= 0 ? java.util.Optional.<ErrorCode>empty() : ErrorCode.byWireName(encoded.substring(0, colon)))
                .map(code -> new WireError(code, encoded.substring(colon + 1)))
                .orElseGet(() -> new WireError(ErrorCode.INTERNAL, encoded));
    }
}
