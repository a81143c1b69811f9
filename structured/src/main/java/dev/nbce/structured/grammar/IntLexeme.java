package dev.nbce.structured.grammar;

/**
 * A terminal whose whole state is one int of an automaton (plain strings, literals, unconstrained numbers):
 * the mask cache walks the vocabulary through it without building a state object per trie node.
 */
public interface IntLexeme extends Lexeme {

    /** This state as an int, or -1 when this state cannot be walked so. */
    int intState();

    /** The int state after byte {@code b}; -1 when refused. */
    int intNext(int state, int b);

    boolean intAccepting(int state);

    boolean intContinues(int state);

    /** The state object of an int state (for the walk's exits). */
    Lexeme materialize(int state);
}
