package dev.nbce.structured.automaton;

/** A constraint part that cannot be compiled; {@code path} is a JSON pointer into the schema, or "" . */
public final class CompileException extends RuntimeException {
    private final String path;

    public CompileException(String path, String message) {
        super(message);
        this.path = path;
    }

    public String path() {
        return path;
    }

    /** The same failure located under {@code prefix} (compilers nest). */
    public CompileException under(String prefix) {
        return new CompileException(prefix + path, getMessage());
    }
}
