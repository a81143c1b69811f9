package dev.nbce.structured.grammar;

import java.util.Arrays;

/**
 * An object key in progress: the allowed declared names and the possible other keys are followed side by side.
 * When closed, {@code result} is the declared property's index (&ge; 0) or {@code -1 - m} for another key, m
 * being the bit set of the patterns it matched.
 */
final class KeyLexeme implements Lexeme {
    static final int BEFORE_QUOTE = 0;
    static final int INSIDE = 1;
    static final int CLOSED = 2;

    final KeyShape shape;
    final int phase;
    final int names;      // -1: no allowed name fits
    final int allNames;   // -1: no declared name fits
    final int any;        // -1: no other key possible
    final int propNames;  // state in propertyNames (0 when there is none)
    final int[] patterns; // -1 per dead pattern
    final int result;

    KeyLexeme(KeyShape shape, int phase, int names, int allNames, int any, int propNames, int[] patterns, int result) {
        this.shape = shape;
        this.phase = phase;
        this.names = names;
        this.allNames = allNames;
        this.any = any;
        this.propNames = propNames;
        this.patterns = patterns;
        this.result = result;
    }

    @Override
    public Lexeme next(int b) {
        if (phase == CLOSED) {
            return null;
        }
        if (phase == BEFORE_QUOTE) {
            return b == '"' ? new KeyLexeme(shape, INSIDE, names, allNames, any, propNames, patterns, 0) : null;
        }
        if (b == '"' && atCharacterBoundary()) {
            return close();
        }
        int n = names >= 0 ? shape.names.next(names, b) : -1;
        int all = allNames >= 0 ? shape.allNames.next(allNames, b) : -1;
        int a = any >= 0 ? shape.anyContent.next(any, b) : -1;
        int pn = propNames;
        if (a >= 0 && shape.propertyNames != null) {
            pn = propNames >= 0 ? shape.propertyNames.next(propNames, b) : -1;
        }
        int[] p = patterns;
        boolean patternAlive = false;
        if (a >= 0 && p.length > 0) {
            p = new int[patterns.length];
            for (int i = 0; i < p.length; i++) {
                p[i] = patterns[i] >= 0 ? shape.patterns[i].next(patterns[i], b) : -1;
                patternAlive |= p[i] >= 0;
            }
        }
        boolean extraAlive = a >= 0 && pn >= 0 && (shape.additionalAllowed || patternAlive);
        if (!extraAlive) {
            a = -1;
        }
        if (n < 0 && a < 0) {
            return null;
        }
        return new KeyLexeme(shape, INSIDE, n, all, a, pn, p, 0);
    }

    /** A quote here closes the key (it is not the second byte of an escape). */
    private boolean atCharacterBoundary() {
        if (any >= 0) {
            return shape.anyContent.accepting(any);
        }
        return names < 0 || shape.names.next(names, '"') < 0;
    }

    private Lexeme close() {
        if (names >= 0 && shape.names.accepting(names)) {
            return new KeyLexeme(shape, CLOSED, -1, -1, -1, 0, patterns, shape.nameAt[names]);
        }
        if (any < 0 || (allNames >= 0 && shape.allNames.accepting(allNames))) {
            return null;
        }
        if (shape.propertyNames != null && (propNames < 0 || !shape.propertyNames.accepting(propNames))) {
            return null;
        }
        int matched = 0;
        for (int i = 0; i < patterns.length; i++) {
            if (patterns[i] >= 0 && shape.patterns[i].accepting(patterns[i])) {
                matched |= 1 << i;
            }
        }
        if (matched == 0 && !shape.additionalAllowed) {
            return null;
        }
        return new KeyLexeme(shape, CLOSED, -1, -1, -1, 0, new int[0], -1 - matched);
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
    public boolean equals(Object o) {
        return o instanceof KeyLexeme k && k.shape == shape && k.phase == phase && k.names == names && k.allNames == allNames
                && k.any == any && k.propNames == propNames && k.result == result && Arrays.equals(k.patterns, patterns);
    }

    @Override
    public int hashCode() {
        return ((((System.identityHashCode(shape) * 31 + phase) * 31 + names) * 31 + any) * 31 + propNames) * 31
                + Arrays.hashCode(patterns) + result * 17 + allNames * 7;
    }
}
