package dev.nbce.worker.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Decode-first scheduling with chunked prefill, on plain objects: no thread, no model. */
class SchedulerTest {
    private static final int CHUNK = 4;

    /** Rows of request {@code id} with prompts of these lengths (ids 0, 1, 2, ...). */
    private static Pending open(String id, int... lengths) {
        List<int[]> tokens = IntStream.of(lengths).mapToObj(n -> IntStream.range(0, n).toArray()).toList();
        return new Pending(new RequestShard(id, null, -1, 0), IntStream.range(0, lengths.length).boxed().toList(),
                tokens, new CompletableFuture<>(), true);
    }

    private static Pending decode(String id) {
        return new Pending(new RequestShard(id, null, -1, 0), List.of(0), List.of(new int[] {7}),
                new CompletableFuture<>(), false);
    }

    @Test
    void decodesGoFirstAndOpensWaitForPrefill() {
        Scheduler scheduler = new Scheduler(CHUNK);
        Pending a = open("a", 5);
        Pending b = decode("b");
        assertEquals(List.of(b), scheduler.decodeFirst(List.of(a, b)));
        assertFalse(scheduler.isEmpty());
        assertTrue(scheduler.prefilling("a"));
        assertFalse(scheduler.prefilling("b"));
        assertEquals(1, scheduler.decoding(2), "b decodes; a is prefilling");
    }

    @Test
    void aRequestAloneIsPrefilledAtFullSpeed() {
        Scheduler scheduler = new Scheduler(CHUNK);
        List<Pending> decodes = scheduler.decodeFirst(List.of(open("a", 9, 9)));
        assertEquals(Integer.MAX_VALUE, scheduler.prefillBudget(decodes, 1), "no stream waits for this prefill");
        List<Scheduler.Slice> slices = scheduler.slices(Integer.MAX_VALUE);
        assertEquals(List.of(0, 1), slices.stream().map(Scheduler.Slice::row).toList(), "every row in this loop");
        assertEquals(List.of(CHUNK, CHUNK), slices.stream().map(s -> s.tokens().length).toList(),
                "each row's slice still at most one chunk");
    }

    @Test
    void aWaitingStreamLimitsPrefillToOneChunkOverAllRows() {
        Scheduler scheduler = new Scheduler(CHUNK);
        List<Pending> decodes = scheduler.decodeFirst(List.of(decode("s"), open("a", 3, 3)));
        assertEquals(CHUNK, scheduler.prefillBudget(decodes, 2), "a step of s waits");
        assertEquals(CHUNK, scheduler.prefillBudget(List.of(), 2), "s is decoding, its next step may come any time");
        List<Scheduler.Slice> slices = scheduler.slices(CHUNK);
        assertEquals(2, slices.size());
        assertArrayEquals(new int[] {0, 1, 2}, slices.get(0).tokens());
        assertArrayEquals(new int[] {0}, slices.get(1).tokens(), "the second row gets what the first leaves");
    }

    @Test
    void slicesContinueWhereTheCacheEndsAndDoneOpensLeaveOldestFirst() {
        Scheduler scheduler = new Scheduler(CHUNK);
        Pending a = open("a", 6);
        Pending b = open("b", 2);
        scheduler.decodeFirst(List.of(a, b));
        List<Scheduler.Slice> first = scheduler.slices(CHUNK);
        assertEquals(1, first.size(), "oldest first: a takes the whole chunk");
        Prefill jobA = first.get(0).job();
        jobA.fed(0, 4, new float[] {1});
        assertNull(scheduler.pollDone());

        List<Scheduler.Slice> second = scheduler.slices(CHUNK);
        assertArrayEquals(new int[] {4, 5}, second.get(0).tokens(), "a goes on at its 5th token");
        assertSame(b, second.get(1).job().pending, "b takes the rest of the chunk");
        second.forEach(s -> s.job().fed(s.row(), s.tokens().length, new float[] {2}));
        assertSame(a, scheduler.pollDone().pending);
        assertSame(b, scheduler.pollDone().pending);
        assertNull(scheduler.pollDone());
        assertTrue(scheduler.isEmpty());
    }

    @Test
    void aShortenedSliceIsFedAgainNextLoop() {
        Scheduler scheduler = new Scheduler(CHUNK);
        scheduler.decodeFirst(List.of(open("a", 4)));
        Scheduler.Slice slice = scheduler.slices(CHUNK).get(0);
        slice.job().fed(0, 1, new float[] {1}); // out of memory: only the first token went in
        assertArrayEquals(new int[] {1, 2, 3}, scheduler.slices(CHUNK).get(0).tokens());
    }

    @Test
    void removingARequestTakesAllItsOpens() {
        Scheduler scheduler = new Scheduler(CHUNK);
        Pending a1 = open("a", 3);
        Pending b = open("b", 3);
        Pending a2 = open("a", 3);
        scheduler.decodeFirst(List.of(a1, b, a2));
        assertEquals(1, scheduler.decoding(3), "two requests prefilling of three");
        assertEquals(List.of(a1, a2), scheduler.remove("a").stream().map(p -> p.pending).toList());
        assertEquals(List.of(b), scheduler.drain().stream().map(p -> p.pending).toList());
        assertTrue(scheduler.isEmpty());
    }
}
