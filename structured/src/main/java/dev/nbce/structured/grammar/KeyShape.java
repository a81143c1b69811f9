package dev.nbce.structured.grammar;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * The keys an object may take next: the declared properties {@code allowed} says (those not seen yet, or in the
 * schema's order those up to the next required one), and other keys where the rule allows them (never a declared
 * name).
 */
public final class KeyShape {
    final NameTrie names;
    final IntPredicate allowed;
    final ExtraKeyRule extras;

    KeyShape(NameTrie names, IntPredicate allowed, ExtraKeyRule extras) {
        this.names = names;
        this.allowed = allowed;
        this.extras = extras;
    }

    private boolean declaredPossible() {
        return !names.isEmpty() && names.reaches(0, allowed);
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
