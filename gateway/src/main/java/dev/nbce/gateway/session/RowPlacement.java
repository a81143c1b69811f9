package dev.nbce.gateway.session;

import dev.nbce.common.prefix.PrefixDigest;
import dev.nbce.common.wire.RowPrompt;
import dev.nbce.common.wire.WorkerStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Spreads a request's rows over workers by their KV token needs: each row goes to a worker that has a
 * free row and the row's tokens free; among those, to the one that caches the longest prefix of it (by
 * the digests workers announce), then to the one with the most free tokens, then the most free rows.
 * Ties in prefix length go to the freer worker, so prefixes every row shares (the chat template's
 * opening) do not pull a request onto one worker.
 */
public final class RowPlacement {
    private RowPlacement() {}

    /** Placement by rows alone (every row needs no KV tokens). */
    public static Map<String, List<RowPrompt>> place(List<RowPrompt> rows, List<RowExecutor.WorkerSlot> workers,
                                                     Set<String> excluded) {
        return place(rows, new int[rows.size()], workers, excluded);
    }

    /**
     * @param needs the KV tokens each row reserves, in the order of {@code rows}
     * @throws NoCapacityException when the workers (less {@code excluded}) cannot hold all rows now
     */
    public static Map<String, List<RowPrompt>> place(List<RowPrompt> rows, int[] needs, List<RowExecutor.WorkerSlot> workers,
                                                     Set<String> excluded) {
        if (needs.length != rows.size()) {
            throw new IllegalArgumentException("one token need per row");
        }
        List<Room> rooms = new ArrayList<>();
        workers.stream()
                .filter(w -> !excluded.contains(w.workerId()) && w.freeRows() > 0)
                .sorted(Comparator.comparing(RowExecutor.WorkerSlot::workerId))
                .forEach(w -> rooms.add(new Room(w)));
        int totalRows = rooms.stream().mapToInt(r -> r.rows).sum();
        if (totalRows < rows.size()) {
            throw new NoCapacityException(rooms.isEmpty()
                    ? "no worker is available"
                    : "workers have " + totalRows + " free rows, the request needs " + rows.size());
        }
        Map<String, List<RowPrompt>> placed = new LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            RowPrompt row = rows.get(i);
            Room best = null;
            int bestBlocks = 0;
            for (Room room : rooms) {
                if (!room.fits(needs[i])) {
                    continue;
                }
                int blocks = room.prefixes.cachedBlocks(row.tokenIds());
                if (best == null || blocks > bestBlocks || (blocks == bestBlocks && room.freerThan(best))) {
                    best = room;
                    bestBlocks = blocks;
                }
            }
            if (best == null) {
                throw new NoCapacityException("no worker has a free row with " + needs[i] + " free KV tokens for row "
                        + row.row());
            }
            best.take(needs[i]);
            placed.computeIfAbsent(best.workerId, k -> new ArrayList<>()).add(row);
        }
        return placed;
    }

    /** Whether the rows could be placed on these workers (less {@code excluded}) if they held nothing else. */
    public static boolean fitsWhenEmpty(List<RowPrompt> rows, int[] needs, List<RowExecutor.WorkerSlot> workers,
                                        Set<String> excluded) {
        try {
            place(rows, needs, workers.stream().map(RowExecutor.WorkerSlot::empty).toList(), excluded);
            return true;
        } catch (NoCapacityException e) {
            return false;
        }
    }

    /** What is left of one worker while rows are placed. */
    private static final class Room {
        final String workerId;
        final PrefixDigest prefixes;
        int rows;
        int tokens;

        Room(RowExecutor.WorkerSlot slot) {
            workerId = slot.workerId();
            prefixes = slot.prefixes();
            rows = slot.freeRows();
            tokens = slot.freeKvTokens();
        }

        boolean fits(int need) {
            return rows > 0 && tokens >= need;
        }

        boolean freerThan(Room other) {
            return tokens != other.tokens ? tokens > other.tokens : rows > other.rows;
        }

        void take(int need) {
            rows--;
            if (tokens != WorkerStatus.UNBOUNDED_TOKENS) { // a worker that does not count tokens stays unbounded
                tokens -= need;
            }
        }
    }

    /** Not enough free rows or KV tokens on the available workers. */
    public static final class NoCapacityException extends RuntimeException {
        public NoCapacityException(String message) {
            super(message, null, false, false);
        }
    }
}
