package dev.nbce.structured.grammar;

import dev.nbce.structured.automaton.Budget;
import dev.nbce.structured.automaton.CharClass;
import dev.nbce.structured.automaton.Dfa;
import dev.nbce.structured.automaton.Encoding;
import dev.nbce.structured.automaton.Nfa;

/**
 * What a JSON string may hold: content bytes an automaton accepts (already in {@code JSON.stringify}'s spelling),
 * and a length in characters. Compared by identity.
 */
public final class StringShape {
    /** Any content, canonically spelled. */
    public static final Dfa ANY_CONTENT = anyContent();
    /** Any string: shared by every schema, so the mask cache inside plain strings is shared too. */
    public static final StringShape ANY = new StringShape(ANY_CONTENT, 0, Integer.MAX_VALUE);

    /** No token is longer than this many characters; lengths beyond it look alike to a mask. */
    static final int LENGTH_HORIZON = 512;

    final Dfa content;
    final int minLength;
    final int maxLength;

    public StringShape(Dfa content, int minLength, int maxLength) {
        this.content = content;
        this.minLength = minLength;
        this.maxLength = maxLength;
    }

    private static Dfa anyContent() {
        Nfa nfa = new Nfa(Budget.unlimited(), "a string");
        Nfa.Fragment f = nfa.star(nfa.chars(CharClass.ANY, Encoding.JSON_STRING));
        return Dfa.determinize(nfa, f, Budget.unlimited(), "a string");
    }

    boolean counts() {
        return minLength > 0 || maxLength != Integer.MAX_VALUE;
    }

    private volatile StringShape unlimited;

    /** The same content without length limits: its mask cache serves every count (the mask filters by length). */
    StringShape unlimited() {
        if (!counts()) {
            return this;
        }
        if (unlimited == null) {
            unlimited = new StringShape(content, 0, Integer.MAX_VALUE);
        }
        return unlimited;
    }

    public Lexeme start() {
        return new StringLexeme(this, StringLexeme.BEFORE_QUOTE, 0, CharCounter.BOUNDARY, 0);
    }
}
