package dev.nbce.structured.grammar;

import dev.nbce.structured.automaton.Dfa;

/** A terminal that a byte automaton decides: literals, unconstrained numbers, free text. */
public record DfaLexeme(Dfa dfa, int state) implements IntLexeme {

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
    public int intState() {
        return state;
    }

    @Override
    public int intNext(int s, int b) {
        return dfa.next(s, b);
    }

    @Override
    public boolean intAccepting(int s) {
        return dfa.accepting(s);
    }

    @Override
    public boolean intContinues(int s) {
        return dfa.canContinue(s);
    }

    @Override
    public Lexeme materialize(int s) {
        return new DfaLexeme(dfa, s);
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
