package dev.nbce.structured.grammar;

import dev.nbce.structured.automaton.Dfa;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

/**
 * A JSON object whose declared properties come in the schema's order. Other keys are allowed where the schema
 * allows them ({@code additional} non-null, or a {@code patternProperties} pattern), anywhere among them.
 *
 * @param names           declared property names, in order
 * @param values          the node of each declared property (already combined with matching patterns)
 * @param required        whether each declared property is required
 * @param additional      the node of other keys matching no pattern; null: not allowed
 * @param patterns        patternProperties' patterns over JSON string content
 * @param patternValues   for a set of matched patterns (bit mask), the node of such a key's value
 * @param propertyNames   automaton every key's content must match; null: any
 */
public record ObjectNode(List<String> names, List<Node> values, List<Boolean> required, Node additional, Dfa[] patterns,
                         IntFunction<Node> patternValues, Dfa propertyNames, int minProperties, int maxProperties,
                         Map<Integer, KeyShape> keyShapes, NameTrie[] trie) implements Node {

    public ObjectNode(List<String> names, List<Node> values, List<Boolean> required, Node additional, Dfa[] patterns,
                      IntFunction<Node> patternValues, Dfa propertyNames, int minProperties, int maxProperties) {
        this(List.copyOf(names), List.copyOf(values), List.copyOf(required), additional, patterns, patternValues,
                propertyNames, minProperties, maxProperties, new ConcurrentHashMap<>(), new NameTrie[1]);
    }

    /** The keys allowed when the declared properties before {@code next} are behind. */
    KeyShape keys(int next) {
        return keyShapes.computeIfAbsent(next, n -> {
            int to = n;
            while (to < names.size() && !required.get(to)) {
                to++;
            }
            return new KeyShape(nameTrie(), n, Math.min(to, names.size() - 1), extraKeyRule());
        });
    }

    private ExtraKeyRule extraKeyRule() {
        return ExtraKeyRule.of(additional != null, patterns, propertyNames);
    }

    private NameTrie nameTrie() {
        synchronized (trie) {
            if (trie[0] == null) {
                trie[0] = new NameTrie(names);
            }
            return trie[0];
        }
    }

    /** No required property is left from {@code next} on. */
    boolean requiredDone(int next) {
        for (int j = next; j < names.size(); j++) {
            if (required.get(j)) {
                return false;
            }
        }
        return true;
    }

    Node valueOfOther(int matchedPatterns) {
        return matchedPatterns == 0 ? additional : patternValues.apply(matchedPatterns);
    }

    int countHorizon() {
        return maxProperties != Integer.MAX_VALUE ? maxProperties : minProperties;
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }
}
