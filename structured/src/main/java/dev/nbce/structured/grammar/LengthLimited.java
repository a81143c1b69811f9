package dev.nbce.structured.grammar;

/**
 * A string with length limits, between two characters: the tokens it allows are those its unlimited twin allows
 * whose characters still fit, which the mask finds with per-token character counts instead of a walk per count.
 */
public interface LengthLimited {

    /** The same content state without limits, or null when this state is not between two characters inside. */
    Lexeme unlimitedAtBoundary();

    int charsSoFar();

    int minLength();

    int maxLength();
}
