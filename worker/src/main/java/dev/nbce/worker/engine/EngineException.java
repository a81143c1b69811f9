package dev.nbce.worker.engine;

/** A failure the gateway can act on: {@code code} says why (capacity, unknown_request, bad_request, …). */
public final class EngineException extends RuntimeException {
    private final String code;

    public EngineException(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
