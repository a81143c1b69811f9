package dev.nbce.structured.grammar;

import java.util.Arrays;

/**
 * A key that is not one of the declared names: any string content the rule allows, and never exactly a
 * declared name ({@code names} follows the declared names while the key is still a prefix of one).
 */
final class ExtraKeyLexeme implements Lexeme {
    final ExtraKeyRule rule;
    final NameTrie declared;
    final int names;          // state in the declared names; -1 once the key is no declared name's prefix
    final ExtraKeyState state;

    ExtraKeyLexeme(ExtraKeyRule rule, NameTrie declared, int names, ExtraKeyState state) {
        this.rule = rule;
        this.declared = declared;
        this.names = names;
        this.state = state;
    }

    @Override
    public Lexeme next(int b) {
        ExtraKeyState s = state.next(b);
        if (s == null) {
            return null;
        }
        if (s.phase == ExtraKeyState.CLOSED) {
            boolean isDeclared = names >= 0 && declared.nameAt(names) >= 0;
            return isDeclared ? null : s;
        }
        int n = names;
        if (state.phase == ExtraKeyState.INSIDE) {
            n = names >= 0 ? declared.dfa.next(names, b) : -1;
        }
        return n < 0 ? s : new ExtraKeyLexeme(rule, declared, n, s);
    }

    @Override
    public boolean accepting() {
        return false;
    }

    @Override
    public boolean canContinue() {
        return true;
    }

    /** Inside a key every token behaves as for any key of the rule; only its end depends on the declared names. */
    @Override
    public Lexeme maskKey() {
        return state;
    }

    /** Each declared name this key can still become, closed: as an other key it is refused. */
    @Override
    public java.util.List<byte[]> refusedEndings() {
        if (state.phase != ExtraKeyState.INSIDE) {
            return java.util.List.of();
        }
        return declared.endingsFrom(names);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExtraKeyLexeme k && k.declared == declared && k.names == names && k.state.equals(state);
    }

    @Override
    public int hashCode() {
        return (System.identityHashCode(declared) * 31 + names) * 31 + state.hashCode();
    }

    /** The key state apart from the declared names: shared by all objects with the same rule. */
    static final class ExtraKeyState implements Lexeme, ClosedKey {
        static final int BEFORE_QUOTE = 0;
        static final int INSIDE = 1;
        static final int CLOSED = 2;

        final ExtraKeyRule rule;
        final int phase;
        final int any;
        final int propNames;
        final int[] patterns;
        final int matched;

        ExtraKeyState(ExtraKeyRule rule, int phase, int any, int propNames, int[] patterns, int matched) {
            this.rule = rule;
            this.phase = phase;
            this.any = any;
            this.propNames = propNames;
            this.patterns = patterns;
            this.matched = matched;
        }

        static ExtraKeyState start(ExtraKeyRule rule) {
            int[] p = new int[rule.patterns().size()];
            for (int i = 0; i < p.length; i++) {
                p[i] = rule.patterns().get(i).isEmpty() ? -1 : 0;
            }
            return new ExtraKeyState(rule, BEFORE_QUOTE, 0, 0, p, 0);
        }

        @Override
        public ExtraKeyState next(int b) {
            if (phase == CLOSED) {
                return null;
            }
            if (phase == BEFORE_QUOTE) {
                return b == '"' ? new ExtraKeyState(rule, INSIDE, 0, 0, patterns, 0) : null;
            }
            if (b == '"' && StringShape.ANY_CONTENT.accepting(any)) {
                return close();
            }
            int a = StringShape.ANY_CONTENT.next(any, b);
            if (a < 0) {
                return null;
            }
            int pn = propNames;
            if (rule.propertyNames() != null) {
                pn = rule.propertyNames().next(propNames, b);
                if (pn < 0) {
                    return null;
                }
            }
            int[] p = patterns;
            if (p.length > 0) {
                boolean alive = false;
                p = new int[patterns.length];
                for (int i = 0; i < p.length; i++) {
                    p[i] = patterns[i] >= 0 ? rule.patterns().get(i).next(patterns[i], b) : -1;
                    alive |= p[i] >= 0;
                }
                if (!alive && !rule.additionalAllowed()) {
                    return null;
                }
            }
            return new ExtraKeyState(rule, INSIDE, a, pn, p, 0);
        }

        private ExtraKeyState close() {
            if (rule.propertyNames() != null && !rule.propertyNames().accepting(propNames)) {
                return null;
            }
            int m = 0;
            for (int i = 0; i < patterns.length; i++) {
                if (patterns[i] >= 0 && rule.patterns().get(i).accepting(patterns[i])) {
                    m |= 1 << i;
                }
            }
            if (m == 0 && !rule.additionalAllowed()) {
                return null;
            }
            return new ExtraKeyState(rule, CLOSED, -1, 0, new int[0], m);
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
            return -1 - matched;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ExtraKeyState k && k.rule.equals(rule) && k.phase == phase && k.any == any
                    && k.propNames == propNames && k.matched == matched && Arrays.equals(k.patterns, patterns);
        }

        @Override
        public int hashCode() {
            return (((rule.hashCode() * 31 + phase) * 31 + any) * 31 + propNames) * 31 + Arrays.hashCode(patterns) + matched;
        }
    }
}
