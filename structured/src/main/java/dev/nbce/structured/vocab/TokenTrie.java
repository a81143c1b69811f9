package dev.nbce.structured.vocab;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The vocabulary as a prefix tree of token bytes, in flat arrays (node 0 is the root): a mask walks it once
 * and skips every token under a byte its constraint refuses.
 */
public final class TokenTrie {
    private final int[] childStart;  // node -> first index in childByte/childNode
    private final int[] childEnd;
    private final int[] childByte;
    private final int[] childNode;
    private final int[] tokenStart;  // node -> first index in tokens
    private final int[] tokenEnd;
    private final int[] tokens;
    private final int vocabSize;
    private final int[] parent;      // node -> parent node (-1 for the root)

    private TokenTrie(int[] childStart, int[] childEnd, int[] childByte, int[] childNode, int[] tokenStart, int[] tokenEnd,
                      int[] tokens, int vocabSize) {
        this.childStart = childStart;
        this.childEnd = childEnd;
        this.childByte = childByte;
        this.childNode = childNode;
        this.tokenStart = tokenStart;
        this.tokenEnd = tokenEnd;
        this.tokens = tokens;
        this.vocabSize = vocabSize;
        this.parent = new int[childStart.length];
        parent[0] = -1;
        for (int n = 0; n < childStart.length; n++) {
            for (int e = childStart[n]; e < childEnd[n]; e++) {
                parent[childNode[e]] = n;
            }
        }
    }

    /** The node above {@code node}; -1 for the root. */
    public int parent(int node) {
        return parent[node];
    }

    /** The node {@code bytes} lead to from {@code node}, or -1 when no token goes that way. */
    public int descend(int node, byte[] bytes) {
        for (byte b : bytes) {
            int next = -1;
            for (int e = childStart[node]; e < childEnd[node]; e++) {
                if (childByte[e] == (b & 0xFF)) {
                    next = childNode[e];
                    break;
                }
            }
            if (next < 0) {
                return -1;
            }
            node = next;
        }
        return node;
    }

    public static TokenTrie of(TokenBytes vocab) {
        Integer[] order = new Integer[vocab.size()];
        int textTokens = 0;
        for (int id = 0; id < vocab.size(); id++) {
            if (vocab.isText(id)) {
                order[textTokens++] = id;
            }
        }
        Integer[] sorted = Arrays.copyOf(order, textTokens);
        Arrays.sort(sorted, (a, b) -> Arrays.compareUnsigned(vocab.bytes(a), vocab.bytes(b)));
        // Nodes in depth-first order from the sorted tokens: a node's children are contiguous in creation order.
        List<int[]> edges = new ArrayList<>(); // {parent, byte, child}
        List<int[]> ends = new ArrayList<>();  // {node, token}
        int[] path = new int[1];
        byte[] previous = new byte[0];
        int nodes = 1;
        int[] stack = new int[4096];
        stack[0] = 0;
        for (int id : sorted) {
            byte[] b = vocab.bytes(id);
            if (stack.length <= b.length) {
                stack = Arrays.copyOf(stack, b.length * 2 + 1);
            }
            int common = 0;
            while (common < Math.min(previous.length, b.length) && previous[common] == b[common]) {
                common++;
            }
            for (int i = common; i < b.length; i++) {
                int child = nodes++;
                edges.add(new int[] {stack[i], b[i] & 0xFF, child});
                stack[i + 1] = child;
            }
            ends.add(new int[] {stack[b.length], id});
            previous = b;
        }
        int[] childStart = new int[nodes];
        int[] childEnd = new int[nodes];
        int[] childByte = new int[edges.size()];
        int[] childNode = new int[edges.size()];
        edges.sort((x, y) -> x[0] != y[0] ? Integer.compare(x[0], y[0]) : Integer.compare(x[1], y[1]));
        Arrays.fill(childStart, -1);
        for (int i = 0; i < edges.size(); i++) {
            int[] e = edges.get(i);
            if (childStart[e[0]] < 0) {
                childStart[e[0]] = i;
            }
            childEnd[e[0]] = i + 1;
            childByte[i] = e[1];
            childNode[i] = e[2];
        }
        for (int n = 0; n < nodes; n++) {
            if (childStart[n] < 0) {
                childStart[n] = 0;
                childEnd[n] = 0;
            }
        }
        ends.sort((x, y) -> Integer.compare(x[0], y[0]));
        int[] tokenStart = new int[nodes];
        int[] tokenEnd = new int[nodes];
        int[] tokens = new int[ends.size()];
        for (int i = 0; i < ends.size(); i++) {
            int n = ends.get(i)[0];
            if (i == 0 || ends.get(i - 1)[0] != n) {
                tokenStart[n] = i;
            }
            tokenEnd[n] = i + 1;
            tokens[i] = ends.get(i)[1];
        }
        return new TokenTrie(childStart, childEnd, childByte, childNode, tokenStart, tokenEnd, tokens, vocab.size());
    }

    public int vocabSize() {
        return vocabSize;
    }

    public int nodes() {
        return childStart.length;
    }

    public int firstChild(int node) {
        return childStart[node];
    }

    public int endChild(int node) {
        return childEnd[node];
    }

    public int childByte(int edge) {
        return childByte[edge];
    }

    public int childNode(int edge) {
        return childNode[edge];
    }

    public boolean hasChildren(int node) {
        return childEnd[node] > childStart[node];
    }

    /** Sets the bit of every token whose bytes end at {@code node}. */
    public void markTokens(int node, long[] mask) {
        for (int i = tokenStart[node]; i < tokenEnd[node]; i++) {
            int t = tokens[i];
            mask[t >>> 6] |= 1L << t;
        }
    }

}
