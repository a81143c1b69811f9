package dev.nbce.worker.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;
import dev.nbce.common.nbce.ScoreVector;
import dev.nbce.common.nbce.ShardReport;
import dev.nbce.common.step.NbceParams;
import dev.nbce.common.step.Pooling;
import dev.nbce.common.step.StepParams;
import dev.nbce.common.wire.Advance;
import dev.nbce.common.wire.OpenRows;
import dev.nbce.common.wire.RowPrompt;
import dev.nbce.worker.decoder.LlamaDecoder;
import dev.nbce.worker.decoder.PrefixCacheOptions;
import dev.nbce.worker.model.DeviceSpec;
import dev.nbce.worker.model.TestModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The rows' reservations and the prefix cache's blocks share one KV budget: rows come first (an open
 * evicts cached blocks it needs), the cache stores only in what the rows leave, and the announced free
 * tokens ignore the evictable cache.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RowEngineSharedKvBudgetTest {
    private static final int BLOCK = 4;
    private static final PrefixCacheOptions CACHE = new PrefixCacheOptions(true, BLOCK, PrefixCacheOptions.DEFAULT_BUDGET_BYTES);
    private LlamaDecoder decoder;
    private long perToken;

    @BeforeAll
    void load() {
        decoder = LlamaDecoder.load(TestModels.embeddedDemo(), DeviceSpec.cpu());
        perToken = KvBudget.bytesPerToken(decoder.config(), decoder.device().dtype().getNumOfBytes());
    }

    @AfterAll
    void close() {
        decoder.close();
    }

    private RowEngine engine(int budgetTokens, PrefixCacheOptions cache) {
        EngineLimits limits = new EngineLimits(8, 4096, 1L << 26, 1_000_000L, budgetTokens * perToken);
        return new RowEngine(decoder, limits, (rows, tokens, nanos) -> { }, "shared-kv-test", cache);
    }

    private static OpenRows open(String id, int answerTokens, int[]... prompts) {
        List<RowPrompt> rows = new ArrayList<>();
        for (int r = 0; r < prompts.length; r++) {
            rows.add(new RowPrompt(r, prompts[r]));
        }
        return new OpenRows(id, new StepParams(0.95, new NbceParams(0.25, 0.1, Pooling.MIN_ENTROPY)), -1, 0, rows,
                answerTokens);
    }

    /** {@code length} token ids of document {@code doc}: documents differ from their first token. */
    private static int[] document(int doc, int length) {
        return IntStream.range(0, length).map(t -> 100 + (doc * 131 + t * 7) % 900).toArray();
    }

    /**
     * Waits until the engine has finished everything sent before: an unknown request's advance is
     * refused while its loop iteration runs, so a second one is refused only after that iteration's
     * stores and closes.
     */
    private static void quiesce(RowEngine engine) throws Exception {
        for (int i = 0; i < 2; i++) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> engine.advance(new Advance("no-such-request", 1, 0, 0)).get(30, TimeUnit.SECONDS));
            assertEquals(ErrorCode.UNKNOWN_REQUEST, ((NbceException) e.getCause()).code());
        }
    }

    private static long reservedTokens(RowEngine engine) {
        return engine.capacityKvTokens() - engine.freeKvTokens();
    }

    private static void assertWithinBudget(RowEngine engine, String when) {
        long used = reservedTokens(engine) * engine.kvBudget().bytesPerToken() + engine.prefixCache().bytes();
        assertTrue(used <= engine.kvBudget().budgetBytes(), when + ": rows " + reservedTokens(engine) + " tokens + cache "
                + engine.prefixCache().bytes() + " bytes > budget " + engine.kvBudget().budgetBytes());
    }

    private static int topId(ScoreVector scores) {
        int best = 0;
        for (int i = 1; i < scores.size(); i++) {
            if (scores.valueAtIndex(i) > scores.valueAtIndex(best)) {
                best = i;
            }
        }
        return scores.idAt(best);
    }

    @Test
    void aFullCacheGivesWayToARequestThatFitsTheRows() throws Exception {
        int budget = 100;
        int[] older = document(1, 40);
        int[] newer = document(2, 40);
        ShardReport cached;
        try (RowEngine engine = engine(budget, CACHE)) {
            // Two requests of 41 tokens each, one after the other: the cache keeps what the rows leave.
            for (int[] prompt : List.of(older, newer)) {
                engine.open(open("fill-" + prompt[0], 1, prompt)).get(30, TimeUnit.SECONDS);
                quiesce(engine);
                assertWithinBudget(engine, "while open");
                engine.close("fill-" + prompt[0]);
                quiesce(engine);
            }
            long cachedTokens = engine.prefixCache().bytes() / perToken;
            assertEquals(budget, engine.freeKvTokens(), "the cache is not announced as used: it gives way");
            assertTrue(cachedTokens > budget - 96, cachedTokens + " tokens cached: a 96-token request fits only by evicting");
            assertEquals(0, engine.blocksEvictedForRows());

            // 40 + 56 = 96 tokens: refused with capacity if the cache kept its blocks.
            cached = engine.open(open("big", 56, newer)).get(30, TimeUnit.SECONDS).report();
            quiesce(engine);
            assertTrue(engine.blocksEvictedForRows() > 0, "blocks were evicted for the rows");
            assertEquals(budget - 96, engine.freeKvTokens());
            assertWithinBudget(engine, "after the eviction");
            assertTrue(engine.prefixCache().bytes() <= (budget - 96) * perToken);
            engine.close("big");
            quiesce(engine);
            assertEquals(budget, engine.freeKvTokens(), "nothing leaked");
        }
        // The row restored what eviction left of its prefix (or nothing) and prefilled the rest: as without a cache.
        try (RowEngine uncached = engine(budget, PrefixCacheOptions.OFF)) {
            ShardReport fresh = uncached.open(open("big", 56, newer)).get(30, TimeUnit.SECONDS).report();
            assertEquals(topId(fresh.row0()), topId(cached.row0()), "the same greedy token");
            assertEquals(fresh.entropies()[0], cached.entropies()[0], 1e-4);
            assertArrayEquals(fresh.rows(), cached.rows());
            uncached.close("big");
        }
    }

    @Test
    void rowsAndCacheNeverExceedTheBudgetOverASequenceOfRequests() throws Exception {
        int budget = 160;
        Random random = new Random(7);
        int admitted = 0;
        int refused = 0;
        try (RowEngine engine = engine(budget, CACHE)) {
            List<String> open = new ArrayList<>();
            for (int op = 0; op < 40; op++) {
                if (!open.isEmpty() && random.nextInt(3) == 0) {
                    engine.close(open.remove(random.nextInt(open.size())));
                } else {
                    // A few documents, so requests share prefixes (hits) as well as fill the cache (evictions).
                    int[][] rows = new int[1 + random.nextInt(2)][];
                    for (int r = 0; r < rows.length; r++) {
                        int[] doc = document(random.nextInt(4), 60);
                        rows[r] = Arrays.copyOf(doc, 6 + random.nextInt(55));
                    }
                    String id = "r" + op;
                    try {
                        engine.open(open(id, 1 + random.nextInt(40), rows)).get(30, TimeUnit.SECONDS);
                        open.add(id);
                        admitted++;
                    } catch (ExecutionException e) {
                        assertEquals(ErrorCode.CAPACITY, ((NbceException) e.getCause()).code(), e.getCause().getMessage());
                        refused++;
                    }
                }
                quiesce(engine);
                assertWithinBudget(engine, "after operation " + op);
            }
            open.forEach(engine::close);
            quiesce(engine);
            assertEquals(budget, engine.freeKvTokens(), "every reservation was returned");
            assertWithinBudget(engine, "at the end");
            assertTrue(engine.prefixCache().hitTokens() > 0, "requests reused cached prefixes");
            assertTrue(engine.blocksEvictedForRows() > 0, "rows took blocks back");
            assertTrue(admitted > 0 && refused > 0, admitted + " admitted, " + refused + " refused");
        }
    }
}
