package dev.nbce.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.common.prefix.BlockHashes;
import dev.nbce.common.prefix.PrefixDigest;
import dev.nbce.common.wire.RowPrompt;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Cache-aware placement: a row goes to the worker holding its longest prefix while it has room, else by free rows. */
class RowPlacementTest {
    private static int[] row(int first, int length) {
        return IntStream.range(first, first + length).toArray();
    }

    @Test
    void rowsFollowTheirCachedPrefixesWhileThereIsRoom() {
        int[] a = row(0, 50);
        int[] b = row(500, 50);
        // w2 holds a's prefix, w1 only one block of b: a -> w2; b -> w1 although w2 is freer.
        PrefixDigest w1 = PrefixDigest.of(16, new long[] {BlockHashes.of(b, 16, 1)[0]});
        PrefixDigest w2 = PrefixDigest.of(16, BlockHashes.of(a, 16, 3));
        List<RowExecutor.WorkerSlot> workers = List.of(new RowExecutor.WorkerSlot("w1", 8, 2, w1),
                new RowExecutor.WorkerSlot("w2", 8, 8, w2), new RowExecutor.WorkerSlot("w3", 8, 8));
        Map<String, List<RowPrompt>> placed = RowPlacement.place(
                List.of(new RowPrompt(0, a), new RowPrompt(1, b)), workers, Set.of());
        assertEquals(List.of(0), placed.get("w2").stream().map(RowPrompt::row).toList());
        assertEquals(List.of(1), placed.get("w1").stream().map(RowPrompt::row).toList());

        // w1 has one free row: the second row with b's prefix goes by free rows instead.
        workers = List.of(new RowExecutor.WorkerSlot("w1", 8, 1, w1), new RowExecutor.WorkerSlot("w2", 8, 3),
                new RowExecutor.WorkerSlot("w3", 8, 2));
        placed = RowPlacement.place(List.of(new RowPrompt(0, b), new RowPrompt(1, b)), workers, Set.of());
        assertEquals(List.of(0), placed.get("w1").stream().map(RowPrompt::row).toList());
        assertEquals(List.of(1), placed.get("w2").stream().map(RowPrompt::row).toList());

        // A failed worker is skipped whatever it caches.
        placed = RowPlacement.place(List.of(new RowPrompt(0, a)), List.of(new RowExecutor.WorkerSlot("w2", 8, 8, w2),
                new RowExecutor.WorkerSlot("w3", 8, 1)), Set.of("w2"));
        assertEquals(Set.of("w3"), placed.keySet());
    }

    private static RowExecutor.WorkerSlot tokens(String id, int freeRows, int freeKvTokens, int capacityKvTokens) {
        return new RowExecutor.WorkerSlot(id, 8, freeRows, null, capacityKvTokens, freeKvTokens);
    }

    private static List<Integer> rowsOn(Map<String, List<RowPrompt>> placed, String worker) {
        return placed.getOrDefault(worker, List.of()).stream().map(RowPrompt::row).toList();
    }

    @Test
    void rowsGoWhereTheirTokensFitMostFreeFirst() {
        List<RowPrompt> rows = List.of(new RowPrompt(0, row(0, 10)), new RowPrompt(1, row(100, 10)),
                new RowPrompt(2, row(200, 10)));
        // w1 has the most free rows but few tokens: tokens decide.
        List<RowExecutor.WorkerSlot> workers = List.of(tokens("w1", 8, 100, 1000), tokens("w2", 2, 500, 1000),
                tokens("w3", 2, 300, 1000));
        Map<String, List<RowPrompt>> placed = RowPlacement.place(rows, new int[] {200, 250, 90}, workers, Set.of());
        // 200 -> w2 (500 free, 300 left); 250 -> w2 and w3 tie at 300 free, w2 has fewer rows left (1 vs 2): w3;
        // 90 -> w2 (300) over w1 (100) and w3 (50).
        assertEquals(List.of(0, 2), rowsOn(placed, "w2"));
        assertEquals(List.of(1), rowsOn(placed, "w3"));
        assertEquals(List.of(), rowsOn(placed, "w1"));
    }

    @Test
    void aRowTooBigForEveryWorkerIsRefusedAndEmptinessIsJudgedOnCapacity() {
        List<RowPrompt> rows = List.of(new RowPrompt(0, row(0, 10)), new RowPrompt(1, row(100, 10)));
        List<RowExecutor.WorkerSlot> busy = List.of(tokens("w1", 8, 50, 400), tokens("w2", 8, 50, 400));
        int[] needs = {300, 300};
        assertThrows(RowPlacement.NoCapacityException.class, () -> RowPlacement.place(rows, needs, busy, Set.of()));
        assertTrue(RowPlacement.fitsWhenEmpty(rows, needs, busy, Set.of()), "one row on each when empty");
        assertFalse(RowPlacement.fitsWhenEmpty(rows, needs, busy, Set.of("w2")), "not both on w1 alone");
        // 600 tokens in all but no worker holds one 500-token row: a total alone would say it fits.
        assertFalse(RowPlacement.fitsWhenEmpty(List.of(rows.get(0)), new int[] {500},
                List.of(tokens("w1", 8, 300, 300), tokens("w2", 8, 300, 300)), Set.of()));
        // A worker that does not count tokens is bounded by rows only.
        Map<String, List<RowPrompt>> placed = RowPlacement.place(rows, needs,
                List.of(new RowExecutor.WorkerSlot("old", 8, 2)), Set.of());
        assertEquals(List.of(0, 1), rowsOn(placed, "old"));
    }
}
