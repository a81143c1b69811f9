package dev.nbce.structured.grammar;

import java.util.Objects;

/** One way the output so far can continue: a terminal in progress (or none) over the frames it returns to. */
public final class Config {
    final Lexeme lex;
    final Frame frame;
    private final int hash;

    Config(Lexeme lex, Frame frame) {
        this.lex = lex;
        this.frame = frame;
        this.hash = Objects.hashCode(lex) * 31 + frame.hashCode();
    }

    /** The same frames with another terminal state in progress. */
    public Config withLexeme(Lexeme other) {
        return new Config(other, frame);
    }

    public Lexeme lexeme() {
        return lex;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Config c && c.hash == hash && Objects.equals(c.lex, lex) && c.frame.equals(frame);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
