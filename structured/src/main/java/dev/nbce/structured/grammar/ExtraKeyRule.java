package dev.nbce.structured.grammar;

import dev.nbce.structured.automaton.Dfa;
import java.util.List;

/**
 * What a key that is not declared must satisfy: propertyNames, and a pattern when additionalProperties is
 * false. Equal rules (the automata compared by identity) share their mask cache across objects; the plain rule
 * (any key) is shared by every object of every schema.
 */
record ExtraKeyRule(boolean additionalAllowed, List<Dfa> patterns, Dfa propertyNames) {
    static final ExtraKeyRule ANY_KEY = new ExtraKeyRule(true, List.of(), null);

    static ExtraKeyRule of(boolean additionalAllowed, Dfa[] patterns, Dfa propertyNames) {
        if (additionalAllowed && patterns.length == 0 && propertyNames == null) {
            return ANY_KEY;
        }
        return new ExtraKeyRule(additionalAllowed, List.of(patterns), propertyNames);
    }

    boolean possible() {
        return (additionalAllowed || !patterns.isEmpty()) && (propertyNames == null || !propertyNames.isEmpty());
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ExtraKeyRule r) || r.additionalAllowed != additionalAllowed || r.propertyNames != propertyNames
                || r.patterns.size() != patterns.size()) {
            return false;
        }
        for (int i = 0; i < patterns.size(); i++) {
            if (r.patterns.get(i) != patterns.get(i)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = Boolean.hashCode(additionalAllowed) * 31 + System.identityHashCode(propertyNames);
        for (Dfa p : patterns) {
            h = h * 31 + System.identityHashCode(p);
        }
        return h;
    }
}
