package dev.nbce.structured.grammar;

import java.util.List;

/**
 * A JSON array: {@code prefix} items in order (prefixItems / array-form items), then {@code rest} for every
 * further item (null: no further item), {@code min}..{@code max} items in all.
 */
public record ArrayNode(List<Node> prefix, Node rest, int min, int max) implements Node {
    public ArrayNode {
        prefix = List.copyOf(prefix);
    }

    /** The node of item {@code i} (0-based), or null when there can be no such item. */
    Node item(int i) {
        if (i >= max) {
            return null;
        }
        return i < prefix.size() ? prefix.get(i) : rest;
    }

    /** Counts at or beyond this behave alike (no limit left to reach). */
    int countHorizon() {
        return max != Integer.MAX_VALUE ? max : Math.max(min, prefix.size());
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
