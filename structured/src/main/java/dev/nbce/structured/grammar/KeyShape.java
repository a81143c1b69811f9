package dev.nbce.structured.grammar;

import dev.nbce.structured.automaton.Dfa;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The keys an object may take next: the declared properties from the next one up to the first required one
 * (properties come in the schema's order), and, where the schema allows them, other keys (never a declared
 * name) that satisfy {@code propertyNames} and, when {@code additionalProperties} is false, a pattern of
 * {@code patternProperties}.
 */
public final class KeyShape {
    final Dfa names;          // content of the names allowed here
    final int[] nameAt;       // names state -> property index, -1 elsewhere
    final Dfa allNames;       // content of every declared name
    final boolean additionalAllowed;
    final Dfa[] patterns;     // patternProperties, search semantics, over content
    final Dfa propertyNames;  // null: any
    final Dfa anyContent = StringShape.ANY_CONTENT;

    public KeyShape(List<String> declared, int from, int to, boolean additionalAllowed, Dfa[] patterns, Dfa propertyNames) {
        List<byte[]> allowed = new ArrayList<>();
        List<byte[]> all = new ArrayList<>();
        for (int j = 0; j < declared.size(); j++) {
            byte[] encoded = JsonText.stringContent(declared.get(j)).getBytes(StandardCharsets.UTF_8);
            all.add(encoded);
            if (j >= from && j <= to) {
                allowed.add(encoded);
            }
        }
        this.names = Dfa.ofStrings(allowed);
        this.nameAt = new int[Math.max(1, names.states())];
        java.util.Arrays.fill(nameAt, -1);
        for (int j = from; j <= to && j < declared.size(); j++) {
            byte[] encoded = JsonText.stringContent(declared.get(j)).getBytes(StandardCharsets.UTF_8);
            int s = names.isEmpty() ? -1 : names.run(0, encoded);
            if (s >= 0) {
                nameAt[s] = j;
            }
        }
        this.allNames = Dfa.ofStrings(all);
        this.additionalAllowed = additionalAllowed;
        this.patterns = patterns;
        this.propertyNames = propertyNames;
    }

    boolean extrasPossible() {
        return additionalAllowed || patterns.length > 0;
    }

    boolean anyKeyPossible() {
        return !names.isEmpty() || extrasPossible();
    }

    Lexeme start() {
        int[] p = new int[patterns.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = patterns[i].isEmpty() ? -1 : 0;
        }
        boolean namesOk = propertyNames == null || !propertyNames.isEmpty();
        return new KeyLexeme(this, KeyLexeme.BEFORE_QUOTE, names.isEmpty() ? -1 : 0, allNames.isEmpty() ? -1 : 0,
                extrasPossible() && namesOk ? 0 : -1, namesOk ? 0 : -1, p, 0);
    }
}
