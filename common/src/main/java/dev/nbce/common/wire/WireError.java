package dev.nbce.common.wire;

/**
 * A worker's refusal as it travels in an event-bus failure message: "code:message". The code is
 * machine-readable (capacity, unknown_request, bad_request, shutting_down, internal).
 */
public record WireError(String code, String message) {
    /** Event-bus failure code used for every worker refusal; the detail is in the message. */
    public static final int FAILURE_CODE = 4200;

    public String encode() {
        return code + ":" + message;
    }

    public static WireError decode(String encoded) {
        if (encoded == null) {
            return new WireError("internal", "worker gave no reason");
        }
        int colon = encoded.indexOf(':');
        return colon <= 0
                ? new WireError("internal", encoded)
                : new WireError(encoded.substring(0, colon), encoded.substring(colon + 1));
    }
}
