package dev.nbce.worker.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;
import dev.nbce.common.step.NbceParams;
import dev.nbce.common.step.StepParams;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.common.wire.Advance;
import dev.nbce.common.wire.OpenRows;
import dev.nbce.common.wire.RowPrompt;
import dev.nbce.common.wire.ShardStep;
import dev.nbce.worker.decoder.DecoderOptions;
import dev.nbce.worker.decoder.LlamaDecoder;
import dev.nbce.worker.decoder.PrefixCacheOptions;
import dev.nbce.worker.metrics.WorkerMetrics;
import dev.nbce.worker.model.DeviceSpec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A forward that runs out of memory fails only the requests that cause it: the others in the same
 * forward go on in the same loop with exactly the reports they get without the culprit (compared
 * with a run of the same commands minus the culprit, so every forward of theirs holds the same
 * rows), the culprit gets a clear error and leaves nothing behind, and the engine serves on.
 * Out-of-memory is injected by {@link FaultyForward} (tiny-llama on CPU underneath).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutOfMemoryIsolationTest {
    private static final StepParams PARAMS = new StepParams(0.95, NbceParams.DEFAULT);
    private static final String NAME = "worker w-oom (model tiny-llama)";
    /** Prompts below use ids 3..502; these two mark forwards. */
    private static final int POISON = 999;
    private static final int HOLD = 600;
    private static final long SHORT_WAIT = 1_000_000L;
    /** Long enough that requests decoding together always share a forward, on a loaded machine too. */
    private static final long LONG_WAIT = 500_000_000L;

    private LlamaDecoder decoder;
    /** The same model prefilling 8 tokens per row and forward. */
    private LlamaDecoder chunked;

    @BeforeAll
    void load() {
        decoder = LlamaDecoder.load(Fixtures.tinyLlama(), DeviceSpec.cpu(), new DecoderOptions(DecoderOptions.Precision.AUTO, 512));
        chunked = LlamaDecoder.load(Fixtures.tinyLlama(), DeviceSpec.cpu(), new DecoderOptions(DecoderOptions.Precision.AUTO, 8));
    }

    @AfterAll
    void close() {
        decoder.close();
        chunked.close();
    }

    private static RowEngine engine(LlamaDecoder decoder, BatchRetry.Forward forward, long batchWaitNanos,
                                    PrefixCacheOptions prefixCache) {
        return new RowEngine(decoder, new EngineLimits(16, 4096, 1L << 26, batchWaitNanos, 64L << 20),
                (rows, tokens, nanos) -> { }, NAME, prefixCache, forward);
    }

    private static int[] prompt(int length, int salt) {
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) {
            ids[i] = 3 + (i * 7 + salt) % 500;
        }
        return ids;
    }

    private static int[] with(int[] ids, int at, int token) {
        int[] copy = ids.clone();
        copy[at] = token;
        return copy;
    }

    /** Rows 1, 2, ... (context rows) with these prompts. */
    private static OpenRows open(String id, int[]... prompts) {
        List<RowPrompt> rows = new ArrayList<>();
        for (int r = 0; r < prompts.length; r++) {
            rows.add(new RowPrompt(r + 1, prompts[r]));
        }
        return new OpenRows(id, PARAMS, -1, 0, rows, 16);
    }

    private static CompletableFuture<ShardStep> advance(RowEngine engine, String id, int step, int token) {
        return engine.advance(new Advance(id, step, token, 1));
    }

    private static ShardStep get(CompletableFuture<ShardStep> reply) throws Exception {
        return reply.get(60, TimeUnit.SECONDS);
    }

    /** The request failed as one that ran out of memory alone: retryable, naming the worker, the request and the cause. */
    private static void assertOutOfMemory(CompletableFuture<ShardStep> reply, String requestId) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> reply.get(60, TimeUnit.SECONDS));
        NbceException cause = (NbceException) e.getCause();
        assertEquals(ErrorCode.INTERNAL, cause.code(), cause.getMessage());
        assertTrue(cause.code().retryable(), "another worker may have the memory");
        String message = cause.getMessage();
        assertTrue(message.contains(NAME) && message.contains("ran out of memory") && message.contains("request " + requestId)
                && message.contains("CUDA out of memory. Tried to allocate 2.00 GiB") && !message.contains("\n"), message);
    }

    /** Every row and reserved KV token is back. */
    private static void awaitEmpty(RowEngine engine) throws InterruptedException {
        for (int i = 0; i < 500 && (engine.activeRows() > 0 || engine.freeKvTokens() != engine.capacityKvTokens()); i++) {
            Thread.sleep(10);
        }
        assertEquals(0, engine.activeRows());
        assertEquals(0, engine.activeRequests());
        assertEquals(engine.capacityKvTokens(), engine.freeKvTokens());
    }

    /** A request opened after the failures, with two steps: the engine still serves exactly. */
    private static List<ShardStep> fresh(RowEngine engine) throws Exception {
        List<ShardStep> steps = new ArrayList<>();
        steps.add(get(engine.open(open("fresh", prompt(18, 40), prompt(9, 41)))));
        steps.add(get(advance(engine, "fresh", 1, 77)));
        steps.add(get(advance(engine, "fresh", 2, 78)));
        engine.close("fresh");
        return steps;
    }

    @Test
    void aBatchedPrefillThatRunsOutOfMemoryFailsOnlyTheRequestThatCausedIt() throws Exception {
        int[] good1 = prompt(20, 1);
        int[] good2 = prompt(20, 2);
        int[] bad1 = prompt(20, 3);
        int[] bad2 = with(prompt(20, 4), 0, POISON);

        List<ShardStep> expected = new ArrayList<>();
        List<ShardStep> expectedFresh;
        int expectedBlocks;
        try (RowEngine alone = engine(decoder, decoder::forward, SHORT_WAIT, PrefixCacheOptions.DEFAULT)) {
            // The same short request as the blocker below, so that both caches hold its partial leaf.
            get(alone.open(open("blocker", new int[] {1, HOLD})));
            alone.close("blocker");
            expected.add(get(alone.open(open("good", good1, good2))));
            for (int step = 1; step <= 3; step++) {
                expected.add(get(advance(alone, "good", step, 40 + step)));
            }
            expectedBlocks = alone.prefixCache().blockCount();
            alone.close("good");
            awaitEmpty(alone);
            expectedFresh = fresh(alone);
        }

        FaultyForward faulty = new FaultyForward(decoder, POISON, Integer.MAX_VALUE);
        try (RowEngine engine = engine(decoder, faulty, SHORT_WAIT, PrefixCacheOptions.DEFAULT)) {
            // Hold the engine in a forward so that both opens arrive before its next loop: one prefill forward.
            faulty.holdForwardWith(HOLD);
            CompletableFuture<ShardStep> blocker = engine.open(open("blocker", new int[] {1, HOLD}));
            faulty.awaitHeld();
            CompletableFuture<ShardStep> good = engine.open(open("good", good1, good2));
            CompletableFuture<ShardStep> bad = engine.open(open("bad", bad1, bad2));
            engine.close("blocker");
            faulty.release();
            get(blocker);

            List<ShardStep> actual = new ArrayList<>();
            actual.add(get(good));
            assertOutOfMemory(bad, "bad");
            assertEquals(4, faulty.outOfMemory.get(0).size(), "good and bad shared the forward that ran out of memory");
            for (int step = 1; step <= 3; step++) {
                actual.add(get(advance(engine, "good", step, 40 + step)));
            }
            assertEquals(expected, actual, "the good request's reports equal those it gets alone");
            assertEquals(2, engine.activeRows(), "only the good request's rows are held");
            assertEquals(expectedBlocks, engine.prefixCache().blockCount(),
                    "nothing of the failed request is cached (its clean row went in before its other row failed)");
            // The batch, then bad's two rows, then bad's poisoned row alone and its shorter slices down to 1 token.
            assertTrue(engine.outOfMemoryForwards() >= 3, "out-of-memory forwards counted: " + engine.outOfMemoryForwards());
            engine.close("good");
            awaitEmpty(engine);
            assertEquals(expectedFresh, fresh(engine), "a later request is served exactly");
            awaitEmpty(engine);
            assertTrue(engine.threadAlive());
        }
    }

    /** The stream decodes while "good" prefills 8 tokens a loop; "bad" arrives and shares good's last slice. */
    private static List<ShardStep> interleaved(RowEngine engine, FaultyForward forward, boolean withBad) throws Exception {
        List<ShardStep> steps = new ArrayList<>();
        steps.add(get(engine.open(open("stream", prompt(12, 5)))));
        forward.holdForwardWith(HOLD);
        CompletableFuture<ShardStep> good = engine.open(open("good", with(prompt(13, 6), 2, HOLD)));
        steps.add(get(advance(engine, "stream", 1, 50)));
        forward.awaitHeld(); // in good's first slice, 8 of its 13 tokens
        CompletableFuture<ShardStep> stream2 = advance(engine, "stream", 2, 51);
        CompletableFuture<ShardStep> bad = withBad ? engine.open(open("bad", with(prompt(10, 7), 0, POISON))) : null;
        forward.release();
        // Next loop: the stream's step alone, then one prefill forward of good's last 5 tokens and bad's first 3.
        steps.add(get(stream2));
        steps.add(get(good));
        if (withBad) {
            assertOutOfMemory(bad, "bad");
        }
        for (int k = 1; k <= 3; k++) {
            CompletableFuture<ShardStep> s = advance(engine, "stream", 2 + k, 51 + k);
            CompletableFuture<ShardStep> g = advance(engine, "good", k, 60 + k);
            steps.add(get(s));
            steps.add(get(g));
        }
        engine.close("stream");
        engine.close("good");
        awaitEmpty(engine);
        return steps;
    }

    @Test
    void duringInterleavedChunkedPrefillOnlyThePromptThatRunsOutOfMemoryFails() throws Exception {
        FaultyForward plain = new FaultyForward(chunked, -1, Integer.MAX_VALUE);
        List<ShardStep> expected;
        List<ShardStep> expectedFresh;
        try (RowEngine alone = engine(chunked, plain, LONG_WAIT, PrefixCacheOptions.OFF)) {
            expected = interleaved(alone, plain, false);
            expectedFresh = fresh(alone);
        }
        FaultyForward faulty = new FaultyForward(chunked, POISON, Integer.MAX_VALUE);
        try (RowEngine engine = engine(chunked, faulty, LONG_WAIT, PrefixCacheOptions.OFF)) {
            assertEquals(expected, interleaved(engine, faulty, true),
                    "the stream and the prompt prefilled beside the culprit get the reports they get without it");
            List<int[]> shared = faulty.outOfMemory.get(0);
            assertEquals(List.of(5, 3), shared.stream().map(t -> t.length).toList(),
                    "good's last slice and bad's first shared the forward that ran out of memory");
            assertEquals(expectedFresh, fresh(engine));
            awaitEmpty(engine);
        }
    }

    /** Good and bad decode together (2 rows each); at step {@code poisonStep} bad's token runs out of memory. */
    private static List<ShardStep> decoding(RowEngine engine, boolean poisoned, int poisonStep) throws Exception {
        List<ShardStep> steps = new ArrayList<>();
        steps.add(get(engine.open(open("good", prompt(20, 11), prompt(14, 12)))));
        CompletableFuture<ShardStep> bad = engine.open(open("bad", prompt(17, 13), prompt(20, 14)));
        steps.add(get(advance(engine, "good", 1, 30)));
        steps.add(get(bad));
        for (int step = 2; step <= 5; step++) {
            CompletableFuture<ShardStep> good = advance(engine, "good", step, 30 + step);
            if (step < poisonStep) {
                CompletableFuture<ShardStep> badStep = advance(engine, "bad", step - 1, 70 + step);
                steps.add(get(good));
                steps.add(get(badStep));
            } else if (step == poisonStep) {
                if (poisoned) {
                    assertOutOfMemory(advance(engine, "bad", step - 1, POISON), "bad");
                } else {
                    engine.close("bad");
                }
                steps.add(get(good));
            } else {
                steps.add(get(good));
                assertEquals(2, engine.activeRows(), "only good's rows are held");
            }
        }
        engine.close("good");
        awaitEmpty(engine);
        return steps;
    }

    @Test
    void aDecodeStepThatRunsOutOfMemoryFailsOnlyItsRequest() throws Exception {
        List<ShardStep> expected;
        List<ShardStep> expectedFresh;
        try (RowEngine alone = engine(decoder, decoder::forward, LONG_WAIT, PrefixCacheOptions.OFF)) {
            expected = decoding(alone, false, 4);
            expectedFresh = fresh(alone);
        }
        FaultyForward faulty = new FaultyForward(decoder, POISON, Integer.MAX_VALUE);
        try (RowEngine engine = engine(decoder, faulty, LONG_WAIT, PrefixCacheOptions.OFF)) {
            assertEquals(expected, decoding(engine, true, 4), "good decodes on exactly as without bad");
            assertEquals(4, faulty.outOfMemory.get(0).size(), "good and bad shared the decode that ran out of memory");
            assertEquals(expectedFresh, fresh(engine));
            awaitEmpty(engine);
        }
    }

    @Test
    void aForwardTooLargeForMemoryRunsAsSmallerForwardsWithTheSameResults() throws Exception {
        int[] longPrompt = prompt(16, 21);
        int[] a = prompt(6, 22);
        int[] b = prompt(6, 23);
        // Reference: 8 tokens per forward by configuration, each request alone.
        ShardStep expectedLong;
        ShardStep expectedA;
        ShardStep expectedB;
        try (RowEngine alone = engine(chunked, chunked::forward, SHORT_WAIT, PrefixCacheOptions.OFF)) {
            expectedLong = get(alone.open(open("long", longPrompt)));
            expectedA = get(alone.open(open("a", a)));
            expectedB = get(alone.open(open("b", b)));
        }
        // Here no forward has memory for more than 8 new tokens.
        FaultyForward faulty = new FaultyForward(decoder, -1, 8);
        try (RowEngine engine = engine(decoder, faulty, SHORT_WAIT, PrefixCacheOptions.OFF)) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new WorkerMetrics(registry).watch(engine);
            assertEquals(expectedLong, get(engine.open(open("long", longPrompt))), "16 tokens prefilled as 8 + 8");
            assertEquals(List.of(16), faulty.outOfMemory.get(0).stream().map(t -> t.length).toList());
            double usage = registry.get("nbce.kv.cache.usage.perc").gauge().value();
            assertTrue(usage > 0, "the open row's reservation shows in vLLM's kv_cache_usage_perc counterpart");
            assertEquals((double) (engine.capacityKvTokens() - engine.freeKvTokens()) / engine.capacityKvTokens(), usage);
            engine.close("long");
            faulty.holdForwardWith(HOLD);
            CompletableFuture<ShardStep> blocker = engine.open(open("blocker", new int[] {1, HOLD}));
            faulty.awaitHeld();
            CompletableFuture<ShardStep> openA = engine.open(open("a", a));
            CompletableFuture<ShardStep> openB = engine.open(open("b", b));
            engine.close("blocker");
            faulty.release();
            get(blocker);
            assertEquals(expectedA, get(openA), "6 + 6 tokens did not fit: each request ran alone");
            assertEquals(expectedB, get(openB));
            assertEquals(List.of(6, 6), faulty.outOfMemory.get(1).stream().map(t -> t.length).toList());
            assertEquals(2, engine.outOfMemoryForwards());
            assertEquals(2.0, registry.get("nbce.forward.oom").functionCounter().count(), "exported as nbce_forward_oom_total");
            engine.close("a");
            engine.close("b");
            awaitEmpty(engine);
            assertEquals(0.0, registry.get("nbce.kv.cache.usage.perc").gauge().value(), "nothing reserved once empty");
        }
    }

    @Test
    void aFailureThatIsNotOutOfMemoryFailsTheWholeForwardAsBefore() throws Exception {
        FaultyForward broken = new FaultyForward(decoder, POISON, Integer.MAX_VALUE,
                "The size of tensor a (64) must match the size of tensor b (65) at non-singleton dimension 1");
        try (RowEngine engine = engine(decoder, broken, SHORT_WAIT, PrefixCacheOptions.OFF)) {
            broken.holdForwardWith(HOLD);
            CompletableFuture<ShardStep> blocker = engine.open(open("blocker", new int[] {1, HOLD}));
            broken.awaitHeld();
            CompletableFuture<ShardStep> good = engine.open(open("good", prompt(10, 31)));
            CompletableFuture<ShardStep> bad = engine.open(open("bad", with(prompt(10, 32), 0, POISON)));
            engine.close("blocker");
            broken.release();
            get(blocker);
            for (CompletableFuture<ShardStep> reply : List.of(good, bad)) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> reply.get(60, TimeUnit.SECONDS));
                NbceException cause = (NbceException) e.getCause();
                assertEquals(ErrorCode.INTERNAL, cause.code());
                assertTrue(cause.getMessage().contains("prefill failed") && cause.getMessage().contains("must match"),
                        cause.getMessage());
            }
            assertEquals(1, broken.outOfMemory.size(), "not retried");
            assertEquals(0, engine.outOfMemoryForwards());
            awaitEmpty(engine);
            assertFalse(fresh(engine).isEmpty());
        }
    }
}
