package dev.nbce.gateway.session;

import dev.nbce.common.prefix.PrefixDigest;
import dev.nbce.common.wire.RowPrompt;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Spreads a request's rows over workers: each row to the worker that caches the longest prefix of it
 * (by the digests workers announce) when that worker has a free row, otherwise to the worker with the
 * most free rows left. Ties in prefix length go to the freer worker, so prefixes every row shares
 * (the chat template's opening) do not pull a request onto one worker.
 */
public final class RowPlacement {
    private RowPlacement() {}

    /**
     * @throws NoCapacityException when the workers (less {@code excluded}) cannot hold all rows
     */
    public static Map<String, List<RowPrompt>> place(List<RowPrompt> rows, List<RowExecutor.WorkerSlot> workers,
                                                     Set<String> excluded) {
        Map<String, Integer> free = new LinkedHashMap<>();
        workers.stream()
                .filter(w -> !excluded.contains(w.workerId()) && w.freeRows() > 0)
                .sorted(Comparator.comparing(RowExecutor.WorkerSlot::workerId))
                .forEach(w -> free.put(w.workerId(), w.freeRows()));
        int total = free.values().stream().mapToInt(Integer::intValue).sum();
        if (total < rows.size()) {
            throw new NoCapacityException(free.isEmpty()
                    ? "no worker is available"
                    : "workers have " + total + " free rows, the request needs " + rows.size());
        }
        Map<String, PrefixDigest> digests = new HashMap<>();
        workers.forEach(w -> digests.put(w.workerId(), w.prefixes()));
        Map<String, List<RowPrompt>> placed = new LinkedHashMap<>();
        for (RowPrompt row : rows) {
            String best = null;
            int bestBlocks = 0;
            for (Map.Entry<String, Integer> e : free.entrySet()) {
                if (e.getValue() <= 0) {
                    continue;
                }
                int blocks = digests.get(e.getKey()).cachedBlocks(row.tokenIds());
                if (best == null || blocks > bestBlocks || (blocks == bestBlocks && e.getValue() > free.get(best))) {
                    best = e.getKey();
                    bestBlocks = blocks;
                }
            }
            free.merge(best, -1, Integer::sum);
            placed.computeIfAbsent(best, k -> new ArrayList<>()).add(row);
        }
        return placed;
    }

    /** Not enough free rows on the available workers. */
    public static final class NoCapacityException extends RuntimeException {
        public NoCapacityException(String message) {
            super(message, null, false, false);
        }
    }
}
