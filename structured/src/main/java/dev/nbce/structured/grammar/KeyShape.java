package dev.nbce.structured.grammar;

import java.util.ArrayList;
import java.util.List;

/**
 * The keys an object may take next: the declared properties {@code from}..{@code to} (they come in the schema's
 * order, and none may skip a required one), and other keys where the rule allows them (never a declared name).
 */
public final class KeyShape {
    final NameTrie names;
    final int from;
    final int to;
    final ExtraKeyRule extras;

    KeyShape(NameTrie names, int from, int to, ExtraKeyRule extras) {
        this.names = names;
        this.from = from;
        this.to = to;
        this.extras = extras;
    }

    private boolean declaredPossible() {
        return !names.isEmpty() && from <= to && names.reaches(0, from, to);
    }

    boolean anyKeyPossible() {
        return declaredPossible() || extras.possible();
    }

    /** One lexeme per kind of key possible here. */
    List<Lexeme> starts() {
        List<Lexeme> out = new ArrayList<>(2);
        if (declaredPossible()) {
            out.add(new DeclaredKeyLexeme(this, DeclaredKeyLexeme.BEFORE_QUOTE, 0));
        }
        if (extras.possible()) {
            ExtraKeyLexeme.ExtraKeyState start = ExtraKeyLexeme.ExtraKeyState.start(extras);
            out.add(names.isEmpty() ? start : new ExtraKeyLexeme(extras, names, 0, start));
        }
        return out;
    }
}
