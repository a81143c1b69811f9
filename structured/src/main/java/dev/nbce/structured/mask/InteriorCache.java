package dev.nbce.structured.mask;

import dev.nbce.structured.grammar.Lexeme;
import java.util.LinkedHashMap;
import java.util.Map;

/** Interiors by terminal state, least recently used dropped first once their bytes pass the budget. */
public final class InteriorCache {
    private final long budgetBytes;
    private long usedBytes;
    private final LinkedHashMap<Lexeme, Interior> entries = new LinkedHashMap<>(256, 0.75f, true);

    public InteriorCache(long budgetBytes) {
        this.budgetBytes = budgetBytes;
    }

    synchronized Interior get(Lexeme key) {
        return entries.get(key);
    }

    synchronized void put(Lexeme key, Interior interior) {
        Interior old = entries.put(key, interior);
        usedBytes += interior.bytes() - (old == null ? 0 : old.bytes());
        var it = entries.entrySet().iterator();
        while (usedBytes > budgetBytes && it.hasNext()) {
            Map.Entry<Lexeme, Interior> eldest = it.next();
            if (eldest.getKey().equals(key)) {
                continue;
            }
            usedBytes -= eldest.getValue().bytes();
            it.remove();
        }
    }

    private CharCounts charCounts;

    /** The vocabulary's character counts, made on first use (one cache serves one vocabulary). */
    synchronized CharCounts charCounts(dev.nbce.structured.vocab.TokenTrie trie) {
        if (charCounts == null) {
            charCounts = new CharCounts(trie);
        }
        return charCounts;
    }

    public synchronized int size() {
        return entries.size();
    }
}
