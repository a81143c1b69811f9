package dev.nbce.gateway.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;
import dev.nbce.common.nbce.NbceCombiner;
import dev.nbce.common.nbce.ShardReducer;
import dev.nbce.common.nbce.TokenSampler;
import dev.nbce.common.step.NbceParams;
import dev.nbce.common.step.Pooling;
import dev.nbce.common.step.Selection;
import dev.nbce.common.wire.Advance;
import dev.nbce.common.wire.OpenRows;
import dev.nbce.gateway.request.FinishReason;
import dev.nbce.gateway.request.GenerationRequest;
import dev.nbce.gateway.request.GenerationResult;
import dev.nbce.gateway.request.SelectionOutcome;
import dev.nbce.gateway.request.WindowSource;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * The step loop against fake workers on a manual clock: placement, capacity waits, worker loss,
 * cancellation and output handling, each in milliseconds and deterministic.
 */
class GenerationSessionTest {
    private static final int VOCAB = 48;
    private static final int EOS = 47;
    private static final Duration CAPACITY_WAIT = Duration.ofSeconds(60);
    /** Three windows; the first two from context 0, the third from context 1. */
    private static final List<WindowSource> SOURCES =
            List.of(new WindowSource(0, 0, 40), new WindowSource(0, 42, 90), new WindowSource(1, 0, 17));
    private static final List<int[]> PROMPTS =
            List.of(new int[] {1, 2, 3}, new int[] {1, 4, 5, 6}, new int[] {1, 7, 8}, new int[] {1, 9, 10, 11, 12});
    /** The windows' texts: only the first holds the question's word "q". */
    private static final List<String> TEXTS = List.of("q is in this window", "not in this one", "nor in this");

    /** Logits that depend on every token a row holds: a row that lost its history would answer differently. */
    private static final FakeRowExecutor.Model HISTORY = (row, tokens, step) -> {
        SplittableRandom random = new SplittableRandom(row * 1_000_003L + Arrays.hashCode(tokens));
        float[] logits = new float[VOCAB];
        for (int v = 0; v < VOCAB; v++) {
            logits[v] = (float) random.nextDouble(-4, 4) * (1 + row % 3);
        }
        logits[EOS] = -50; // run to max_new_tokens
        return logits;
    };

    private final ManualClock clock = new ManualClock();
    private final List<TokenEvent> streamed = new ArrayList<>();
    private final List<String> replaced = new ArrayList<>();
    /** Each capacity wait's start (true) and stop (false), in order. */
    private final List<Boolean> waits = new ArrayList<>();
    private final SessionListener listener = new SessionListener() {
        @Override
        public void onCapacityWait(boolean waiting) {
            waits.add(waiting);
        }

        @Override
        public void onToken(TokenEvent token) {
            streamed.add(token);
        }

        @Override
        public void onRowsReplaced(String failedWorker, int rows, Throwable cause) {
            replaced.add(failedWorker + ":" + rows);
        }
    };

    private static GenerationRequest request(int maxNewTokens, double temperature, List<String> stop) {
        return new GenerationRequest(List.of("a context", "another"), null, "q?", null, maxNewTokens, temperature, 0.9, 0,
                11L, stop, new NbceParams(0.25, 0.1, Pooling.MIN_ENTROPY), false);
    }

    private static GenerationPlan plan(GenerationRequest request) {
        return new GenerationPlan("req-1", request, PROMPTS, SOURCES, Set.of(EOS), 10_000, -1, TEXTS);
    }

    private GenerationSession session(GenerationRequest request, RowExecutor executor, TextStream text) {
        return new GenerationSession(plan(request), executor, text, listener, clock, CAPACITY_WAIT);
    }

    private static GenerationResult resultOf(Future<GenerationResult> future) {
        assertTrue(future.succeeded(), () -> "generation failed: " + future.cause());
        return future.result();
    }

    private static NbceException failureOf(Future<GenerationResult> future) {
        assertTrue(future.failed(), () -> "expected a failure, got " + future.result());
        return (NbceException) future.cause();
    }

    /** The algorithm in one loop, all rows in one shard: what every placement must reproduce. */
    private static int[][] reference(GenerationRequest request) {
        List<int[]> rows = new ArrayList<>(PROMPTS);
        RandomGenerator random = TokenSampler.randomFor(request.seed());
        int[] tokens = new int[request.maxNewTokens()];
        int[] windows = new int[request.maxNewTokens()];
        int previous = -1;
        for (int step = 0; step < tokens.length; step++) {
            float[][] logits = new float[rows.size()][];
            for (int r = 0; r < rows.size(); r++) {
                logits[r] = HISTORY.logits(r, rows.get(r), step);
            }
            var report = ShardReducer.reduce(new int[] {0, 1, 2, 3}, logits, request.stepParams(), previous);
            var combination = NbceCombiner.combine(List.of(report), request.nbce());
            int token = TokenSampler.sample(combination.finalScores(), request.temperature(), request.topK(), random);
            tokens[step] = token;
            windows[step] = combination.chosenRow() - 1;
            previous = combination.chosenRow();
            for (int r = 0; r < rows.size(); r++) {
                int[] longer = Arrays.copyOf(rows.get(r), rows.get(r).length + 1);
                longer[longer.length - 1] = token;
                rows.set(r, longer);
            }
        }
        return new int[][] {tokens, windows};
    }

    private static GenerationRequest selecting(Selection selection) {
        return new GenerationRequest(List.of("a context", "another"), null, "q?", null, 8, 0.7, 0.9, 0, 11L, List.of(),
                new NbceParams(0.25, 0.1, Pooling.MIN_ENTROPY, selection), false);
    }

    @Test
    void anEntropySelectionDropsTheSameRowsAtTheSameStepOnAnyNumberOfWorkers() {
        GenerationRequest request = selecting(new Selection(Selection.Rule.ENTROPY, 1, 2));
        GenerationResult first = null;
        for (int workers = 1; workers <= 3; workers++) {
            FakeRowExecutor executor = new FakeRowExecutor(clock, HISTORY);
            for (int w = 0; w < workers; w++) {
                executor.worker("w" + w, 8);
            }
            List<Integer> decoding = new ArrayList<>();
            SessionListener counting = new SessionListener() {
                @Override
                public void onToken(TokenEvent token) {}

                @Override
                public void onDecode(int rows) {
                    decoding.add(rows);
                }
            };
            Future<GenerationResult> future = new GenerationSession(plan(request), executor, new LetterText(), counting,
                    clock, CAPACITY_WAIT).start();
            clock.runUntilIdle();
            GenerationResult result = resultOf(future);
            assertEquals(8, result.tokenIds().length);
            assertEquals(List.of(4, 2, 2, 2, 2, 2, 2), decoding, "all 4 rows decode step 1, row 0 and one window after");
            SelectionOutcome outcome = result.selection();
            assertEquals("entropy", outcome.rule());
            assertEquals(1, outcome.keptWindows().length);
            assertEquals(2, outcome.droppedAtStep());
            int kept = outcome.keptWindows()[0];
            for (int step = 2; step < 8; step++) {
                assertEquals(kept, result.selectedWindows()[step], "only the kept window is chosen from step 2 on");
            }
            if (first == null) {
                first = result;
            } else {
                assertArrayEquals(first.tokenIds(), result.tokenIds(), workers + " workers");
                assertEquals(first.selection(), result.selection(), workers + " workers");
            }
        }
    }

    @Test
    void losingTheWorkerOfAKeptRowAfterTheDropKeepsTheIds() {
        GenerationRequest request = selecting(new Selection(Selection.Rule.ENTROPY, 1, 2));
        FakeRowExecutor healthy = new FakeRowExecutor(clock, HISTORY).worker("w0", 8).worker("w1", 8).worker("w2", 8);
        Future<GenerationResult> expected = session(request, healthy, new LetterText()).start();
        clock.runUntilIdle();
        int kept = resultOf(expected).selection().keptWindows()[0] + 1;
        String holder = healthy.commandsOf(OpenRows.class).stream()
                .filter(c -> ((OpenRows) c.body()).rows().stream().anyMatch(r -> r.row() == kept))
                .map(FakeRowExecutor.Command::worker).findFirst().orElseThrow();

        FakeRowExecutor failing = new FakeRowExecutor(clock, HISTORY).worker("w0", 8).worker("w1", 8).worker("w2", 8);
        failing.dieAtStep(holder, 4);
        Future<GenerationResult> future = session(request, failing, new LetterText()).start();
        clock.runUntilIdle();
        GenerationResult result = resultOf(future);
        assertEquals(1, replaced.size(), "the kept row's worker was lost after the drop: " + replaced);
        assertTrue(replaced.get(0).startsWith(holder + ":"), replaced.toString());
        assertArrayEquals(resultOf(expected).tokenIds(), result.tokenIds());
        assertEquals(resultOf(expected).selection(), result.selection());
    }

    @Test
    void aSaliencySelectionPrefillsOnlyTheKeptWindows() {
        FakeRowExecutor executor = new FakeRowExecutor(clock, HISTORY);
        executor.worker("w0", 8);
        // Only window 0's text holds the question's word "q".
        Future<GenerationResult> future = session(selecting(new Selection(Selection.Rule.SALIENCY, 1, 0)), executor,
                new LetterText()).start();
        clock.runUntilIdle();
        GenerationResult result = resultOf(future);
        OpenRows open = (OpenRows) executor.commandsOf(OpenRows.class).get(0).body();
        assertEquals(List.of(0, 1), open.rows().stream().map(dev.nbce.common.wire.RowPrompt::row).toList());
        assertTrue(Arrays.stream(result.selectedWindows()).allMatch(w -> w == 0));
        assertEquals(new SelectionOutcome("saliency", new int[] {0}, 0), result.selection());
    }

    @Test
    void withoutASelectionTheResultSaysNothingOfIt() {
        FakeRowExecutor executor = new FakeRowExecutor(clock, HISTORY);
        executor.worker("w0", 8);
        Future<GenerationResult> future = session(request(4, 0.7, List.of()), executor, new LetterText()).start();
        clock.runUntilIdle();
        assertEquals(null, resultOf(future).selection());
        assertFalse(resultOf(future).toJson().has("selection"));
    }

    @Test
    void rowsSpreadOverWorkersGiveTheSameAnswerAsOneLoop() {
        GenerationRequest request = request(12, 0.7, List.of());
        int[][] expected = reference(request);
        assertTrue(Arrays.stream(expected[1]).distinct().count() > 1, "the test model makes different rows win");
        for (int workers = 1; workers <= 3; workers++) {
            FakeRowExecutor executor = new FakeRowExecutor(clock, HISTORY);
            for (int w = 0; w < workers; w++) {
                executor.worker("w" + w, 8);
            }
            streamed.clear();
            Future<GenerationResult> future = session(request, executor, new LetterText()).start();
            clock.runUntilIdle();
            GenerationResult result = resultOf(future);
            assertArrayEquals(expected[0], result.tokenIds(), workers + " workers");
            assertArrayEquals(expected[1], result.selectedWindows(), workers + " workers");
            assertEquals(FinishReason.LENGTH, result.finishReason());
            assertEquals(SOURCES, result.windowSources());
            assertEquals(Arrays.stream(PROMPTS.toArray(int[][]::new)).mapToInt(p -> p.length).sum(),
                    result.usage().promptTokens());
            for (int i = 0; i < streamed.size(); i++) {
                TokenEvent event = streamed.get(i);
                assertEquals(expected[1][i], event.window());
                assertEquals(event.window() < 0 ? -1 : SOURCES.get(event.window()).context(), event.context(),
                        "each token names the context of its window");
            }
            for (int w = 0; w < workers; w++) {
                assertEquals(0, executor.rowsOn("w" + w), "rows are freed at the end");
            }
        }
    }

    @Test
    void aWorkerLostAtStepKHandsItsRowsToTheOthersWithTheirHistory() {
        GenerationRequest request = request(12, 0.7, List.of());
        int k = 5;
        FakeRowExecutor executor = new FakeRowExecutor(clock, HISTORY).worker("w0", 8).worker("w1", 8);
        executor.dieAtStep("w1", k);
        Future<GenerationResult> future = session(request, executor, new LetterText()).start();
        clock.runUntilIdle();
        GenerationResult result = resultOf(future);
        int[][] expected = reference(request);
        assertArrayEquals(expected[0], result.tokenIds(), "the ids of an undisturbed run");
        assertArrayEquals(expected[1], result.selectedWindows());
        assertEquals(List.of("w1:2"), replaced);
        List<OpenRows> reopened = executor.commandsOf(OpenRows.class).stream().map(c -> (OpenRows) c.body())
                .filter(o -> o.step() > 0).toList();
        assertEquals(1, reopened.size());
        OpenRows open = reopened.get(0);
        assertEquals(k, open.step());
        assertEquals(expected[1][k - 1] + 1, open.previousChosenRow(), "stickiness carries over");
        for (var row : open.rows()) {
            int[] prompt = PROMPTS.get(row.row());
            assertEquals(prompt.length + k, row.tokenIds().length);
            assertArrayEquals(Arrays.copyOf(expected[0], k), Arrays.copyOfRange(row.tokenIds(), prompt.length, prompt.length + k));
        }
        assertEquals(0, executor.rowsOn("w0"), "the survivor frees every row at the end");
    }

    /**
     * The race of a report from a superseded placement: at step 0 w0 fails, its row moves to w1 as a
     * second open there; w1 answered its first open (rows 0, 1, 3 counted) and then dies on the second,
     * so all four rows move to w2. Without placement epochs rows 0, 1 and 3 would be counted twice
     * (a duplicated row 0 throws, average pooling double-counts); with them the first report is dropped.
     */
    @Test
    void aReportFromASupersededPlacementIsNeverCounted() {
        GenerationRequest request = request(8, 0.7, List.of());
        FakeRowExecutor executor = new FakeRowExecutor(clock, HISTORY).worker("w0", 2).worker("w1", 4).worker("w2", 8);
        executor.occupy("w2", 8); // full at first: w0 and w1 take the rows
        executor.refuse("w0", ErrorCode.WORKER_LOST);
        executor.dieAfterOpens("w1", 1);
        Future<GenerationResult> future = session(request, executor, new LetterText()).start();
        clock.runFor(100);
        assertFalse(future.isComplete(), "waiting for room for the rows of two failed workers");
        executor.occupy("w2", -8);
        clock.runUntilIdle();
        GenerationResult result = resultOf(future);
        int[][] expected = reference(request);
        assertArrayEquals(expected[0], result.tokenIds(), "the ids of an undisturbed run");
        assertArrayEquals(expected[1], result.selectedWindows());
        assertEquals(List.of("w0:1", "w1:4"), replaced, "w1 lost its own rows and the one it had taken over");
        assertEquals(4, executor.commandsOf(OpenRows.class).stream().filter(c -> c.worker().equals("w2"))
                .mapToInt(c -> ((OpenRows) c.body()).rows().size()).sum(), "w2 holds all four rows");
    }

    @Test
    void losingTheOnlyWorkerFailsWithNoWorkersAndARefusalIsNotRetried() {
        FakeRowExecutor alone = new FakeRowExecutor(clock, HISTORY).worker("w0", 8);
        alone.dieAtStep("w0", 2);
        Future<GenerationResult> lost = session(request(12, 0, List.of()), alone, new LetterText()).start();
        clock.runUntilIdle();
        assertEquals(ErrorCode.NO_WORKERS, failureOf(lost).code());
        assertEquals(List.of("w0:4"), replaced, "its rows were offered to the others, and there were none");
        replaced.clear();

        FakeRowExecutor refusing = new FakeRowExecutor(clock, HISTORY).worker("w0", 8).worker("w1", 8);
        refusing.refuse("w1", ErrorCode.BAD_REQUEST);
        Future<GenerationResult> refused = session(request(12, 0, List.of()), refusing, new LetterText()).start();
        clock.runUntilIdle();
        assertEquals(ErrorCode.BAD_REQUEST, failureOf(refused).code());
        assertTrue(replaced.isEmpty(), "a request the worker rejects would be rejected anywhere");
        assertEquals(0, refusing.rowsOn("w0"), "the other worker's rows are freed");
    }

    @Test
    void rowsThatFailOnEveryWorkerFailWithWorkerFailedNamingThem() {
        // Both workers are up but fail these rows with the retryable internal (as one out of memory for them does).
        FakeRowExecutor executor = new FakeRowExecutor(clock, HISTORY).worker("w0", 8).worker("w1", 8);
        executor.refuse("w0", ErrorCode.INTERNAL);
        executor.refuse("w1", ErrorCode.INTERNAL);
        Future<GenerationResult> failed = session(request(12, 0, List.of()), executor, new LetterText()).start();
        clock.runUntilIdle();
        NbceException failure = failureOf(failed);
        assertEquals(ErrorCode.WORKER_FAILED, failure.code(), failure.getMessage());
        assertEquals("the request's rows failed on every worker (w0, w1); last: w1 refuses", failure.getMessage());
        assertEquals(List.of("w0:2", "w1:4"), replaced, "w1 lost its own rows and the ones it had taken over");
        assertEquals(0, executor.rowsOn("w0") + executor.rowsOn("w1"), "no row is left on either");
    }

    @Test
    void aFullClusterMakesTheRequestWaitUntilRowsAreFree() {
        FakeRowExecutor executor = new FakeRowExecutor(clock, HISTORY).worker("w0", 3).worker("w1", 3);
        executor.occupy("w0", 2);
        executor.occupy("w1", 2); // 2 free rows for a request of 4
        long start = clock.nanoTime();
        Future<GenerationResult> future = session(request(6, 0, List.of()), executor, new LetterText()).start();
        clock.runFor(5_000);
        assertFalse(future.isComplete(), "it waits");
        assertTrue(executor.commandsOf(OpenRows.class).isEmpty(), "nothing is placed while it does not fit");
        assertEquals(List.of(true), waits, "one wait started, however many retries");
        executor.occupy("w0", -2);
        clock.runUntilIdle();
        GenerationResult result = resultOf(future);
        assertEquals(List.of(true, false), waits, "and stopped when the rows were placed");
        assertEquals(6, result.tokenIds().length);
        assertTrue(clock.elapsedMillis(start) >= 5_000 && clock.elapsedMillis(start) < 5_100,
                "placed at the first retry after the rows were freed: " + clock.elapsedMillis(start) + " ms");
    }

    @Test
    void waitingEndsAtTheDeadlineAndImpossibleRequestsFailAtOnce() {
        FakeRowExecutor busy = new FakeRowExecutor(clock, HISTORY).worker("w0", 4);
        busy.occupy("w0", 3);
        long start = clock.nanoTime();
        Future<GenerationResult> waited = session(request(6, 0, List.of()), busy, new LetterText()).start();
        clock.runUntilIdle();
        assertEquals(ErrorCode.NO_CAPACITY, failureOf(waited).code());
        assertEquals(List.of(true, false), waits, "a wait that timed out stopped too");
        long waitedMillis = clock.elapsedMillis(start);
        assertTrue(waitedMillis >= CAPACITY_WAIT.toMillis() && waitedMillis < CAPACITY_WAIT.toMillis() + 100, waitedMillis + " ms");

        start = clock.nanoTime();
        FakeRowExecutor small = new FakeRowExecutor(clock, HISTORY).worker("w0", 3);
        Future<GenerationResult> tooBig = session(request(6, 0, List.of()), small, new LetterText()).start();
        assertEquals(ErrorCode.NO_CAPACITY, failureOf(tooBig).code(), "4 rows never fit 3");
        assertEquals(0, clock.elapsedMillis(start));
        Future<GenerationResult> none = session(request(6, 0, List.of()), new FakeRowExecutor(clock, HISTORY),
                new LetterText()).start();
        assertEquals(ErrorCode.NO_WORKERS, failureOf(none).code());
        assertEquals(List.of(true, false), waits, "requests that fail at once never wait");
    }

    /** KV tokens the plan's rows reserve with an answer budget of {@code answer}. */
    private static int tokenNeed(int answer) {
        return PROMPTS.stream().mapToInt(p -> p.length + answer).sum();
    }

    @Test
    void aRequestWhoseTokensNeverFitFailsAtOnceWithTooLarge() {
        int need = tokenNeed(6);
        // Rows fit (8 + 8 for 4), tokens do not even when both workers are empty: one token short.
        FakeRowExecutor executor = new FakeRowExecutor(clock, HISTORY).worker("w0", 8, need / 2).worker("w1", 8, need - need / 2 - 1);
        long start = clock.nanoTime();
        Future<GenerationResult> future = session(request(6, 0, List.of()), executor, new LetterText()).start();
        clock.runUntilIdle();
        NbceException failure = failureOf(future);
        assertEquals(ErrorCode.TOO_LARGE, failure.code());
        assertEquals(413, failure.code().httpStatus());
        assertEquals(0, clock.elapsedMillis(start), "at once, no wait for room");
        assertTrue(executor.commandsOf(OpenRows.class).isEmpty(), "nothing is placed");
    }

    @Test
    void aRequestWhoseTokensFitLaterWaitsAndGivesTheSameAnswer() {
        GenerationRequest request = request(6, 0.7, List.of());
        int need = tokenNeed(6);
        FakeRowExecutor executor = new FakeRowExecutor(clock, HISTORY).worker("w0", 8, need).worker("w1", 8, need);
        executor.occupyTokens("w0", need / 2 + 1);
        executor.occupyTokens("w1", need / 2 + 1); // free rows everywhere, but not the tokens
        long start = clock.nanoTime();
        Future<GenerationResult> future = session(request, executor, new LetterText()).start();
        clock.runFor(5_000);
        assertFalse(future.isComplete(), "it waits");
        assertTrue(executor.commandsOf(OpenRows.class).isEmpty(), "nothing is placed while the tokens are taken");
        executor.occupyTokens("w1", -(need / 2 + 1));
        clock.runUntilIdle();
        GenerationResult result = resultOf(future);
        assertTrue(clock.elapsedMillis(start) >= 5_000 && clock.elapsedMillis(start) < 5_100, clock.elapsedMillis(start) + " ms");
        int[][] expected = reference(request);
        assertArrayEquals(expected[0], result.tokenIds());
        assertArrayEquals(expected[1], result.selectedWindows());
        for (FakeRowExecutor.Command open : executor.commandsOf(OpenRows.class)) {
            assertEquals(6, ((OpenRows) open.body()).answerTokens(), "each open carries the answer budget");
        }
    }

    @Test
    void cancelWhileWaitingForRoomPlacesNothing() {
        FakeRowExecutor executor = new FakeRowExecutor(clock, HISTORY).worker("w0", 4);
        executor.occupy("w0", 4);
        GenerationSession session = session(request(6, 0, List.of()), executor, new LetterText());
        Future<GenerationResult> future = session.start();
        clock.runFor(300);
        session.cancel();
        executor.occupy("w0", -4);
        clock.runFor(1_000);
        GenerationResult result = resultOf(future);
        assertEquals(List.of(true, false), waits, "a cancel ends the wait");
        assertEquals(FinishReason.CANCELLED, result.finishReason());
        assertEquals(0, result.tokenIds().length);
        assertTrue(executor.commands.isEmpty(), "no row was opened after the cancel: " + executor.commands);
    }

    @Test
    void cancelWhileRowsArePrefillingFreesThemAndIgnoresTheLateReplies() {
        FakeRowExecutor executor = new FakeRowExecutor(clock, HISTORY).worker("w0", 2).worker("w1", 2);
        executor.holdReplies("w1");
        GenerationSession session = session(request(6, 0, List.of()), executor, new LetterText());
        Future<GenerationResult> future = session.start();
        clock.runUntilIdle();
        assertFalse(future.isComplete(), "w1 is still prefilling");
        session.cancel();
        assertEquals(FinishReason.CANCELLED, resultOf(future).finishReason());
        assertEquals(0, executor.rowsOn("w0"));
        assertEquals(0, executor.rowsOn("w1"));
        executor.releaseReplies("w1");
        clock.runUntilIdle();
        assertTrue(executor.commandsOf(Advance.class).isEmpty(), "no step after the cancel");
        assertTrue(streamed.isEmpty());
    }

    @Test
    void aStopStringSplitOverTokensEndsTheAnswerWithoutShowingIt() {
        // The model spells "Hel", "lo\n", "\nWorld": the stop string "\n\n" spans two tokens.
        ScriptedModel script = new ScriptedModel(1, 2, 3, 4);
        LetterText text = new LetterText("", "Hel", "lo\n", "\nWorld", "!");
        FakeRowExecutor executor = new FakeRowExecutor(clock, script).worker("w0", 8);
        Future<GenerationResult> future = session(request(10, 0, List.of("\n\n")), executor, text).start();
        clock.runUntilIdle();
        GenerationResult result = resultOf(future);
        assertEquals(FinishReason.STOP, result.finishReason());
        assertEquals("Hello", result.text());
        assertArrayEquals(new int[] {1, 2, 3}, result.tokenIds());
        assertEquals(List.of("Hel", "lo", ""), streamed.stream().map(TokenEvent::text).toList(),
                "the newline is held back until it is known not to start the stop string");
    }

    @Test
    void heldBackTextIsFlushedAtEosAndAtTheLengthLimit() {
        LetterText text = new LetterText("", "a", "\n");
        FakeRowExecutor eos = new FakeRowExecutor(clock, new ScriptedModel(1, 2, EOS)).worker("w0", 8);
        Future<GenerationResult> ended = session(request(10, 0, List.of("\n\n")), eos, text).start();
        clock.runUntilIdle();
        assertEquals(FinishReason.EOS, resultOf(ended).finishReason());
        assertEquals("a\n", resultOf(ended).text());
        assertEquals(List.of("a", "", "\n"), streamed.stream().map(TokenEvent::text).toList());
        assertEquals(EOS, streamed.get(2).tokenId(), "the flush goes out with the EOS token");

        streamed.clear();
        FakeRowExecutor length = new FakeRowExecutor(clock, new ScriptedModel(1, 2, 2)).worker("w0", 8);
        Future<GenerationResult> cut = session(request(2, 0, List.of("\n\n")), length, new LetterText("", "a", "\n")).start();
        clock.runUntilIdle();
        assertEquals(FinishReason.LENGTH, resultOf(cut).finishReason());
        assertEquals("a\n", resultOf(cut).text());
        assertEquals(-1, streamed.get(streamed.size() - 1).tokenId(), "a length flush belongs to no token");
    }

    /** Every row favours the script's token at each step, so the answer is known in advance. */
    private record ScriptedModel(int... tokens) implements FakeRowExecutor.Model {
        @Override
        public float[] logits(int row, int[] history, int step) {
            float[] logits = new float[VOCAB];
            logits[tokens[Math.min(step, tokens.length - 1)]] = 20;
            return logits;
        }
    }

    /** Token i is the i-th string (beyond the list: a letter), so text is easy to predict. */
    private static final class LetterText implements TextStream {
        private final List<String> pieces;

        LetterText(String... pieces) {
            this.pieces = List.of(pieces);
        }

        @Override
        public String push(int tokenId) {
            return tokenId < pieces.size() ? pieces.get(tokenId) : String.valueOf((char) ('a' + tokenId % 26));
        }

        @Override
        public String finish() {
            return "";
        }
    }
}
