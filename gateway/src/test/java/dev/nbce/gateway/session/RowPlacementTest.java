package dev.nbce.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
        List<RowExecutor.WorkerSlot> workers = List.of(new RowExecutor.WorkerSlot("w1", 2, 8, w1),
                new RowExecutor.WorkerSlot("w2", 8, 8, w2), new RowExecutor.WorkerSlot("w3", 8, 8));
        Map<String, List<RowPrompt>> placed = RowPlacement.place(
                List.of(new RowPrompt(0, a), new RowPrompt(1, b)), workers, Set.of());
        assertEquals(List.of(0), placed.get("w2").stream().map(RowPrompt::row).toList());
        assertEquals(List.of(1), placed.get("w1").stream().map(RowPrompt::row).toList());

        // w1 has one free row: the second row with b's prefix goes by free rows instead.
        workers = List.of(new RowExecutor.WorkerSlot("w1", 1, 8, w1), new RowExecutor.WorkerSlot("w2", 3, 8),
                new RowExecutor.WorkerSlot("w3", 2, 8));
        placed = RowPlacement.place(List.of(new RowPrompt(0, b), new RowPrompt(1, b)), workers, Set.of());
        assertEquals(List.of(0), placed.get("w1").stream().map(RowPrompt::row).toList());
        assertEquals(List.of(1), placed.get("w2").stream().map(RowPrompt::row).toList());

        // A failed worker is skipped whatever it caches.
        placed = RowPlacement.place(List.of(new RowPrompt(0, a)), List.of(new RowExecutor.WorkerSlot("w2", 8, 8, w2),
                new RowExecutor.WorkerSlot("w3", 1, 8)), Set.of("w2"));
        assertEquals(Set.of("w3"), placed.keySet());
    }
}
