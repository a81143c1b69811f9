package dev.nbce.structured.grammar;

/** A key that must be one of the declared names the object allows next. */
record DeclaredKeyLexeme(KeyShape shape, int phase, int state) implements Lexeme, ClosedKey {
    static final int BEFORE_QUOTE = 0;
    static final int INSIDE = 1;
    static final int CLOSED = 2;

    @Override
    public Lexeme next(int b) {
        if (phase == BEFORE_QUOTE) {
            return b == '"' ? new DeclaredKeyLexeme(shape, INSIDE, 0) : null;
        }
        if (phase == CLOSED) {
            return null;
        }
        NameTrie names = shape.names;
        if (b == '"' && names.dfa.next(state, b) < 0) {
            int j = names.nameAt(state);
            return j >= 0 && shape.allowed.test(j) ? new DeclaredKeyLexeme(shape, CLOSED, j) : null;
        }
        int n = names.dfa.next(state, b);
        return n >= 0 && names.reaches(n, shape.allowed) ? new DeclaredKeyLexeme(shape, INSIDE, n) : null;
    }

    @Override
    public boolean accepting() {
        return phase == CLOSED;
    }

    @Override
    public boolean canContinue() {
        return phase != CLOSED;
    }

    @Override
    public int result() {
        return state;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeclaredKeyLexeme k && k.shape == shape && k.phase == phase && k.state == state;
    }

    @Override
    public int hashCode() {
        return (System.identityHashCode(shape) * 31 + phase) * 31 + state;
    }
}
