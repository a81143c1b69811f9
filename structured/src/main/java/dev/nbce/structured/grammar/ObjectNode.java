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
                         Map<Long, KeyShape> keyShapes, NameTrie[] trie) implements Node {

    public ObjectNode(List<String> names, List<Node> values, List<Boolean> required, Node additional, Dfa[] patterns,
                      IntFunction<Node> patternValues, Dfa propertyNames, int minProperties, int maxProperties) {
        this(List.copyOf(names), List.copyOf(values), List.copyOf(required), additional, patterns, patternValues,
                propertyNames, minProperties, maxProperties, new ConcurrentHashMap<>(), new NameTrie[1]);
    }

    /** Up to 64 declared properties come in any order (a bit set of those seen); more come in the schema's order. */
    boolean anyOrder() {
        return names.size() <= 64;
    }

    /**
     * The keys allowed at {@code progress}: the declared properties not seen yet (any order), or those from the
     * next one up to the first required one (the schema's order, where {@code progress} is the next index).
     */
    KeyShape keys(long progress) {
        return keyShapes.computeIfAbsent(progress, p -> {
            if (anyOrder()) {
                return new KeyShape(nameTrie(), j -> (p & (1L << j)) == 0, extraKeyRule());
            }
            int from = (int) (long) p;
            int to = from;
            while (to < names.size() && !required.get(to)) {
                to++;
            }
            int last = Math.min(to, names.size() - 1);
            return new KeyShape(nameTrie(), j -> j >= from && j <= last, extraKeyRule());
        });
    }

    /** The progress once declared property {@code j} is written. */
    long after(long progress, int j) {
        return anyOrder() ? progress | (1L << j) : j + 1;
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

    /** No required property is still to come at {@code progress}. */
    boolean requiredDone(long progress) {
        for (int j = 0; j < names.size(); j++) {
            boolean behind = anyOrder() ? (progress & (1L << j)) != 0 : j < progress;
            if (required.get(j) && !behind) {
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
