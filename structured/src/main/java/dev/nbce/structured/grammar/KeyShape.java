package dev.nbce.structured.grammar;

import dev.nbce.structured.automaton.Dfa;

/**
 * The keys an object may take next: the declared properties {@code from}..{@code to} (they come in the schema's
 * order, and none may skip a required one), and, where the schema allows them, other keys (never a declared
 * name) that satisfy {@code propertyNames} and, when {@code additionalProperties} is false, a pattern of
 * {@code patternProperties}.
 */
public final class KeyShape {
    final NameTrie names;
    final int from;
    final int to;
    final boolean additionalAllowed;
    final Dfa[] patterns;     // patternProperties, search semantics, over content
    final Dfa propertyNames;  // null: any
    final Dfa anyContent = StringShape.ANY_CONTENT;

    KeyShape(NameTrie names, int from, int to, boolean additionalAllowed, Dfa[] patterns, Dfa propertyNames) {
        this.names = names;
        this.from = from;
        this.to = to;
        this.additionalAllowed = additionalAllowed;
        this.patterns = patterns;
        this.propertyNames = propertyNames;
    }

    boolean extrasPossible() {
        return (additionalAllowed || patterns.length > 0) && (propertyNames == null || !propertyNames.isEmpty());
    }

    boolean anyKeyPossible() {
        return (!names.isEmpty() && from <= to && names.reaches(0, from, to)) || extrasPossible();
    }

    Lexeme start() {
        int[] p = new int[patterns.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = patterns[i].isEmpty() ? -1 : 0;
        }
        return new KeyLexeme(this, KeyLexeme.BEFORE_QUOTE, names.isEmpty() ? -1 : 0, extrasPossible() ? 0 : -1, 0, p, 0);
    }
}
