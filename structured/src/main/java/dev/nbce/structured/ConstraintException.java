package dev.nbce.structured;

/**
 * A constraint that cannot be compiled: malformed, unsupported or too large. The message is written for
 * the client (no library class names); {@link #path()} points into the schema as a JSON pointer ("" for
 * the root, or the regex itself).
 */
public final class ConstraintException extends Exception {
    private final String path;

    public ConstraintException(String path, String message) {
        super(message);
        this.path = path;
    }

    public String path() {
        return path;
    }
}
