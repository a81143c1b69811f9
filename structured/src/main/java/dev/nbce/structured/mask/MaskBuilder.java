package dev.nbce.structured.mask;

import dev.nbce.structured.grammar.Config;
import dev.nbce.structured.grammar.LengthLimited;
import dev.nbce.structured.grammar.LongLexeme;
import dev.nbce.structured.grammar.Lexeme;
import dev.nbce.structured.grammar.Matcher;
import dev.nbce.structured.vocab.TokenTrie;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Computes one token mask: for each configuration, the cached interior of the terminal in progress (the bulk
 * of the vocabulary, e.g. everything that stays inside a string) plus a walk of the trie from each place the
 * terminal can end; with no terminal in progress, a walk of the trie from its root, pruned at the first
 * refused byte.
 */
public final class MaskBuilder {
    private final TokenTrie trie;
    private final InteriorCache cache;
    /** Within one mask: a configuration list fed one byte gives the same list, so feed each pair once. */
    private final IdentityHashMap<List<Config>, List<Config>[]> fed = new IdentityHashMap<>();

    private final CharCounts charCounts;

    public MaskBuilder(TokenTrie trie, InteriorCache cache) {
        this.trie = trie;
        this.cache = cache;
        this.charCounts = cache.charCounts(trie);
    }

    public void fill(List<Config> configs, long[] mask) {
        java.util.Arrays.fill(mask, 0L);
        fed.clear();
        for (Config c : configs) {
            Lexeme key = c.lexeme() == null ? null : c.lexeme().maskKey();
            if (key == null) {
                walk(0, List.of(c), mask);
                continue;
            }
            if (c.lexeme().accepting()) { // the terminal may end before the token's first byte
                List<Config> after = Matcher.complete(c);
                if (!after.isEmpty()) {
                    walk(0, after, mask);
                }
            }
            if (c.lexeme() instanceof LengthLimited limited && limited.unlimitedAtBoundary() != null) {
                fillLimited(c, limited, mask);
                continue;
            }
            Interior in = interior(key);
            long[] inside = in.inside();
            for (int i = 0; i < inside.length; i++) {
                mask[i] |= inside[i];
            }
            java.util.Set<Integer> refused = refusedNodes(c.lexeme().refusedEndings());
            walkExits(c, in, mask, node -> !refused.contains(node));
        }
        fed.clear();
    }

    /**
     * A length-limited string between two characters: the unlimited string's interior, its inside tokens kept
     * while their characters fit, its ends kept where the count lands within the limits.
     */
    private void fillLimited(Config c, LengthLimited limited, long[] mask) {
        Interior in = interior(limited.unlimitedAtBoundary().maskKey());
        long room = (long) limited.maxLength() - limited.charsSoFar();
        long[] fits = charCounts.fitsWithin(room);
        long[] inside = in.inside();
        for (int i = 0; i < inside.length; i++) {
            mask[i] |= fits == null ? inside[i] : inside[i] & fits[i];
        }
        walkExits(c, in, mask, node -> {
            long chars = (long) limited.charsSoFar() + charCounts.chars(trie.parent(node)); // up to the closing quote
            return chars >= limited.minLength() && chars <= limited.maxLength();
        });
    }

    /** From each place the terminal ends ({@code keep} says which count), the tokens that end there and the walk on. */
    private void walkExits(Config c, Interior in, long[] mask, java.util.function.IntPredicate keep) {
        for (int k = 0; k < in.exitStates().length; k++) {
            List<Config> after = Matcher.complete(c.withLexeme(in.exitStates()[k]));
            if (after.isEmpty()) {
                continue;
            }
            for (int node : in.exitNodes()[k]) {
                if (keep.test(node)) {
                    trie.markTokens(node, mask);
                    walk(node, after, mask);
                }
            }
        }
    }

    /** The trie nodes those byte strings lead to from the root (the ends of tokens that would spell them). */
    private java.util.Set<Integer> refusedNodes(List<byte[]> endings) {
        if (endings.isEmpty()) {
            return java.util.Set.of();
        }
        java.util.Set<Integer> nodes = new java.util.HashSet<>();
        for (byte[] ending : endings) {
            int node = trie.descend(0, ending);
            if (node >= 0) {
                nodes.add(node);
            }
        }
        return nodes;
    }

    private void walk(int node, List<Config> configs, long[] mask) {
        for (int e = trie.firstChild(node); e < trie.endChild(node); e++) {
            List<Config> next = feed(configs, trie.childByte(e));
            if (next.isEmpty()) {
                continue;
            }
            int child = trie.childNode(e);
            trie.markTokens(child, mask);
            if (trie.hasChildren(child)) {
                walk(child, next, mask);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private List<Config> feed(List<Config> configs, int b) {
        List<Config>[] row = fed.get(configs);
        if (row == null) {
            row = new List[256];
            fed.put(configs, row);
        }
        List<Config> out = row[b];
        if (out == null) {
            out = Matcher.feed(configs, b);
            row[b] = out;
        }
        return out;
    }

    private Interior interior(Lexeme key) {
        Interior in = cache.get(key);
        if (in == null) {
            in = computeInterior(key);
            cache.put(key, in);
        }
        return in;
    }

    private Interior computeInterior(Lexeme start) {
        long[] inside = new long[(trie.vocabSize() + 63) >>> 6];
        Map<Lexeme, List<Integer>> exits = new LinkedHashMap<>();
        if (start instanceof LongLexeme walk && walk.packed() >= 0) {
            Map<Long, List<Integer>> packedExits = new LinkedHashMap<>();
            descend(0, walk, walk.packed(), inside, packedExits);
            packedExits.forEach((state, nodes) -> exits.merge(walk.materialize(state), nodes, (a, b) -> {
                List<Integer> both = new ArrayList<>(a);
                both.addAll(b);
                return both;
            }));
        } else {
            descend(0, start, inside, exits);
        }
        Lexeme[] states = exits.keySet().toArray(new Lexeme[0]);
        int[][] nodes = new int[states.length][];
        long bytes = inside.length * 8L + 64;
        for (int k = 0; k < states.length; k++) {
            nodes[k] = exits.get(states[k]).stream().mapToInt(Integer::intValue).toArray();
            bytes += nodes[k].length * 4L + 48;
        }
        return new Interior(inside, states, nodes, bytes);
    }

    /** As {@link #descend(int, Lexeme, long[], Map)} on packed states: no object per trie node. */
    private void descend(int node, LongLexeme walk, long state, long[] inside, Map<Long, List<Integer>> exits) {
        for (int e = trie.firstChild(node); e < trie.endChild(node); e++) {
            long next = walk.packedNext(state, trie.childByte(e));
            if (next < 0) {
                continue;
            }
            int child = trie.childNode(e);
            if (walk.packedAccepting(next)) {
                exits.computeIfAbsent(next, k -> new ArrayList<>()).add(child);
            }
            if (walk.packedContinues(next)) {
                trie.markTokens(child, inside);
                if (trie.hasChildren(child)) {
                    descend(child, walk, next, inside, exits);
                }
            }
        }
    }

    private void descend(int node, Lexeme lex, long[] inside, Map<Lexeme, List<Integer>> exits) {
        for (int e = trie.firstChild(node); e < trie.endChild(node); e++) {
            Lexeme next = lex.next(trie.childByte(e));
            if (next == null) {
                continue;
            }
            int child = trie.childNode(e);
            if (next.accepting()) {
                exits.computeIfAbsent(next, k -> new ArrayList<>()).add(child);
            }
            if (next.canContinue()) {
                trie.markTokens(child, inside);
                if (trie.hasChildren(child)) {
                    descend(child, next, inside, exits);
                }
            }
        }
    }
}
