package dev.nbce.worker.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;
import dev.nbce.common.step.NbceParams;
import dev.nbce.common.step.Pooling;
import dev.nbce.common.step.StepParams;
import dev.nbce.common.wire.Advance;
import dev.nbce.common.wire.OpenRows;
import dev.nbce.common.wire.RowPrompt;
import dev.nbce.common.wire.ShardStep;
import dev.nbce.worker.decoder.LlamaDecoder;
import dev.nbce.worker.model.DeviceSpec;
import dev.nbce.worker.model.TestModels;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The engine's bookkeeping: rows placed and freed, bad commands refused, cancels racing steps. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RowEngineTest {
    private LlamaDecoder decoder;
    private RowEngine engine;

    @BeforeAll
    void load() {
        decoder = LlamaDecoder.load(TestModels.embeddedDemo(), DeviceSpec.cpu());
        engine = new RowEngine(decoder, new EngineLimits(8, 4096, 1L << 26, 1_000_000L), (rows, tokens, nanos) -> { });
    }

    @AfterAll
    void close() {
        engine.close();
        decoder.close();
    }

    private static OpenRows open(String id, int rows) {
        List<RowPrompt> prompts = new java.util.ArrayList<>();
        for (int r = 0; r < rows; r++) {
            prompts.add(new RowPrompt(r, new int[] {1, 322, 201, 330 + r, 306, 2, 201, 1, 324, 201}));
        }
        return new OpenRows(id, new StepParams(0.95, new NbceParams(0.25, 0.1, Pooling.MIN_ENTROPY)), -1, 0, prompts);
    }

    private void awaitNoRows() throws InterruptedException {
        for (int i = 0; i < 200 && engine.activeRows() > 0; i++) {
            Thread.sleep(10);
        }
        assertEquals(0, engine.activeRows());
    }

    @Test
    void placesAdvancesAndFreesRows() throws Exception {
        ShardStep first = engine.open(open("a", 3)).get(30, TimeUnit.SECONDS);
        assertEquals(3, first.report().rows().length);
        assertEquals(3, engine.activeRows());
        ShardStep second = engine.advance(new Advance("a", 1, 42, first.report().bestRow())).get(30, TimeUnit.SECONDS);
        assertEquals(1, second.step());
        engine.close("a");
        awaitNoRows();
    }

    /**
     * Drafts fed after a token are reported position by position as step-by-step decoding reports them, and the
     * drafts not kept are forgotten: the next step continues as if only the kept ones had been fed.
     */
    @Test
    void draftedPositionsReportWhatStepByStepDecodingReportsAndUnkeptDraftsAreForgotten() throws Exception {
        ShardStep drafted0 = engine.open(open("drafted", 3)).get(30, TimeUnit.SECONDS);
        ShardStep plain0 = engine.open(open("plain", 3)).get(30, TimeUnit.SECONDS);
        NbceParams nbce = new NbceParams(0.25, 0.1, Pooling.MIN_ENTROPY);
        int chosen = plain0.report().bestRow();
        ShardStep drafted = engine.advance(new Advance("drafted", 1, 42, chosen, null, 0, new int[] {50, 60}))
                .get(30, TimeUnit.SECONDS);
        assertEquals(2, drafted.drafted().size());
        ShardStep plain1 = engine.advance(new Advance("plain", 1, 42, chosen)).get(30, TimeUnit.SECONDS);
        assertClose(plain1.report(), drafted.report());
        ShardStep plain2 = engine.advance(new Advance("plain", 2, 50, plain1.report().bestRow())).get(30, TimeUnit.SECONDS);
        assertClose(plain2.report(), drafted.drafted().get(0).resolve(plain1.report().bestRow(), nbce));
        // Keep the first draft (50), reject the second (60): the rows continue from [.., 42, 50] with 61.
        ShardStep kept = engine.advance(new Advance("drafted", 3, 61, plain2.report().bestRow(), null, 1, null))
                .get(30, TimeUnit.SECONDS);
        ShardStep plain3 = engine.advance(new Advance("plain", 3, 61, plain2.report().bestRow())).get(30, TimeUnit.SECONDS);
        assertClose(plain3.report(), kept.report());
        assertEquals(List.of(), kept.drafted());
        ExecutionException tooMany = assertThrows(ExecutionException.class, () -> engine.advance(
                new Advance("drafted", 5, 7, 1, null, 1, null)).get(30, TimeUnit.SECONDS));
        assertEquals(ErrorCode.BAD_REQUEST, ((NbceException) tooMany.getCause()).code());
        assertTrue(tooMany.getCause().getMessage().contains("keeps 1 drafts, but its last step fed 0"),
                tooMany.getCause().getMessage());
        engine.close("drafted");
        engine.close("plain");
        awaitNoRows();
    }

    /**
     * Rows placed again in the middle of a speculative step join without the drafts (the gateway keeps none of
     * them then): the rollback forgets the drafts of the rows that hold them and nothing of the newcomers.
     */
    @Test
    void rowsOpenedAfterADraftedStepKeepTheirTokensWhenTheDraftsAreRolledBack() throws Exception {
        OpenRows all = open("all-rows", 3);
        int chosen = engine.open(all).get(30, TimeUnit.SECONDS).report().bestRow();
        engine.advance(new Advance("all-rows", 1, 42, chosen)).get(30, TimeUnit.SECONDS);
        ShardStep expected = engine.advance(new Advance("all-rows", 2, 61, 1)).get(30, TimeUnit.SECONDS);

        OpenRows two = new OpenRows("replaced", all.params(), -1, 0, all.rows().subList(0, 2));
        engine.open(two).get(30, TimeUnit.SECONDS);
        engine.advance(new Advance("replaced", 1, 42, chosen, null, 0, new int[] {50, 60})).get(30, TimeUnit.SECONDS);
        int[] prompt = all.rows().get(2).tokenIds();
        int[] withAnswer = java.util.Arrays.copyOf(prompt, prompt.length + 1);
        withAnswer[prompt.length] = 42;
        engine.open(new OpenRows("replaced", all.params(), chosen, 1, List.of(new RowPrompt(2, withAnswer))))
                .get(30, TimeUnit.SECONDS);
        ExecutionException keeps = assertThrows(ExecutionException.class, () -> engine.advance(
                new Advance("replaced", 3, 61, 1, null, 1, null)).get(30, TimeUnit.SECONDS));
        assertTrue(keeps.getCause().getMessage().contains("to rows opened since"), keeps.getCause().getMessage());
        ShardStep actual = engine.advance(new Advance("replaced", 2, 61, 1)).get(30, TimeUnit.SECONDS);
        assertClose(expected.report(), actual.report());
        engine.close("all-rows");
        engine.close("replaced");
        awaitNoRows();
    }

    /**
     * Same rows and choice; entropies and log-probs equal to float rounding (a multi-token forward sums in another
     * order), relatively: the demo model is so sure that its entropies are about 1e-6.
     */
    private static void assertClose(dev.nbce.common.nbce.ShardReport expected, dev.nbce.common.nbce.ShardReport actual) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected.rows(), actual.rows());
        assertEquals(expected.bestRow(), actual.bestRow());
        for (int i = 0; i < expected.entropies().length; i++) {
            assertNear(expected.entropies()[i], actual.entropies()[i], "entropy of row " + expected.rows()[i]);
        }
        assertEquals(expected.best().size(), actual.best().size(), "kept tokens of the best row");
        for (int k = 0; k < expected.best().size(); k++) {
            assertEquals(expected.best().idAt(k), actual.best().idAt(k));
            assertNear(expected.best().valueAtIndex(k), actual.best().valueAtIndex(k), "log-prob " + k);
        }
    }

    private static void assertNear(double expected, double actual, String what) {
        double allowed = 1e-4 * Math.max(Math.abs(expected), Math.abs(actual)) + 1e-12;
        assertTrue(Math.abs(expected - actual) <= allowed, what + ": expected " + expected + ", was " + actual);
    }

    @Test
    void refusesWhatItCannotDo() throws Exception {
        ExecutionException over = assertThrows(ExecutionException.class, () -> engine.open(open("big", 9)).get(30, TimeUnit.SECONDS));
        assertEquals(ErrorCode.CAPACITY, ((NbceException) over.getCause()).code());
        ExecutionException unknown = assertThrows(ExecutionException.class,
                () -> engine.advance(new Advance("nobody", 1, 5, 1)).get(30, TimeUnit.SECONDS));
        assertEquals(ErrorCode.UNKNOWN_REQUEST, ((NbceException) unknown.getCause()).code());
        engine.open(open("b", 2)).get(30, TimeUnit.SECONDS);
        ExecutionException skipped = assertThrows(ExecutionException.class,
                () -> engine.advance(new Advance("b", 5, 5, 1)).get(30, TimeUnit.SECONDS));
        assertEquals(ErrorCode.BAD_REQUEST, ((NbceException) skipped.getCause()).code());
        ExecutionException badToken = assertThrows(ExecutionException.class,
                () -> engine.advance(new Advance("b", 1, 1_000_000, 1)).get(30, TimeUnit.SECONDS));
        assertEquals(ErrorCode.BAD_REQUEST, ((NbceException) badToken.getCause()).code());
        engine.close("b");
        awaitNoRows();
    }

    @Test
    void cancelRacingAStepNeverKillsTheEngine() throws Exception {
        for (int i = 0; i < 30; i++) {
            String id = "race-" + i;
            engine.open(open(id, 2)).get(30, TimeUnit.SECONDS);
            CompletableFuture<ShardStep> step = engine.advance(new Advance(id, 1, 7, 1));
            engine.close(id); // may land in the same loop iteration as the step
            try {
                step.get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                assertTrue(e.getCause() instanceof NbceException, e.toString());
            }
        }
        awaitNoRows();
        // Still serving.
        engine.open(open("after", 1)).get(30, TimeUnit.SECONDS);
        engine.close("after");
        awaitNoRows();
    }
}
