package dev.nbce.structured.mask;

import dev.nbce.structured.grammar.CharCounter;
import dev.nbce.structured.vocab.TokenTrie;

/**
 * Characters each trie node's path begins inside a JSON string, read from a character boundary (an escape or a
 * UTF-8 sequence is one, counted from its first byte), and per count the tokens that begin at most that many: a
 * length-limited string's mask is its unlimited mask and'ed with one of these.
 */
final class CharCounts {
    private final int[] nodeChars;
    private final long[][] fitsWithin; // [r] = tokens beginning at most r characters
    private final int horizon;

    CharCounts(TokenTrie trie) {
        nodeChars = new int[trie.nodes()];
        int[] position = new int[trie.nodes()];
        int most = 0;
        for (int n = 0; n < trie.nodes(); n++) { // parents come before children in the trie's numbering
            for (int e = trie.firstChild(n); e < trie.endChild(n); e++) {
                int child = trie.childNode(e);
                int step = CharCounter.step(position[n], trie.childByte(e));
                position[child] = step & 0xFF;
                nodeChars[child] = nodeChars[n] + ((step & 0x100) != 0 ? 1 : 0);
                most = Math.max(most, nodeChars[child]);
            }
        }
        horizon = most;
        int words = (trie.vocabSize() + 63) >>> 6;
        long[][] exact = new long[most + 1][words];
        for (int n = 0; n < trie.nodes(); n++) {
            trie.markTokens(n, exact[nodeChars[n]]);
        }
        fitsWithin = new long[most + 1][];
        fitsWithin[0] = exact[0];
        for (int r = 1; r <= most; r++) {
            fitsWithin[r] = exact[r].clone();
            for (int w = 0; w < words; w++) {
                fitsWithin[r][w] |= fitsWithin[r - 1][w];
            }
        }
    }

    int chars(int node) {
        return nodeChars[node];
    }

    /** Tokens beginning at most {@code r} characters; null when every token does. */
    long[] fitsWithin(long r) {
        return r >= horizon ? null : fitsWithin[(int) Math.max(0, r)];
    }
}
