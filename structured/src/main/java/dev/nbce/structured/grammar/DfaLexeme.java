package dev.nbce.structured.grammar;

import dev.nbce.structured.automaton.Dfa;

/** A terminal that a byte automaton decides: literals, unconstrained numbers, free text. */
public record DfaLexeme(Dfa dfa, int state) implements LongLexeme {

    public static DfaLexeme start(Dfa dfa) {
        return new DfaLexeme(dfa, 0);
    }

    @Override
    public Lexeme next(int b) {
        int t = dfa.next(state, b);
        return t < 0 ? null : new DfaLexeme(dfa, t);
    }

    @Override
    public boolean accepting() {
        return dfa.accepting(state);
    }

    @Override
    public boolean canContinue() {
        return dfa.canContinue(state);
    }

    @Override
    public long packed() {
        return state;
    }

    @Override
    public long packedNext(long s, int b) {
        return dfa.next((int) s, b);
    }

    @Override
    public boolean packedAccepting(long s) {
        return dfa.accepting((int) s);
    }

    @Override
    public boolean packedContinues(long s) {
        return dfa.canContinue((int) s);
    }

    @Override
    public Lexeme materialize(long s) {
        return new DfaLexeme(dfa, (int) s);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DfaLexeme d && d.dfa == dfa && d.state == state;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(dfa) * 31 + state;
    }
}
