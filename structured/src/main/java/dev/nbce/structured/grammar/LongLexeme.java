package dev.nbce.structured.grammar;

/**
 * A terminal whose whole state packs into one long (strings, literals, unconstrained numbers): the mask cache
 * walks the vocabulary through it without building a state object per trie node.
 */
public interface LongLexeme extends Lexeme {

    /** This state packed, or -1 when this state cannot be walked so. */
    long packed();

    /** The packed state after byte {@code b}; -1 when refused. */
    long packedNext(long state, int b);

    boolean packedAccepting(long state);

    boolean packedContinues(long state);

    /** The state object of a packed state (for the walk's exits). */
    Lexeme materialize(long state);
}
