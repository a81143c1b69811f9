package dev.nbce.worker.model;

/**
 * A model directory that cannot be served: unsupported configuration, malformed or truncated
 * checkpoint, missing or mis-shaped tensor. The message always names the offending file.
 */
public final class ModelFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
