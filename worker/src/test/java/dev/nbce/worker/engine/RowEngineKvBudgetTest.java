package dev.nbce.worker.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import dev.nbce.worker.decoder.PrefixCacheOptions;
import dev.nbce.worker.model.DeviceSpec;
import dev.nbce.worker.model.TestModels;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Rows are admitted by the KV tokens they reserve (prompt + answer budget), not only by their count. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RowEngineKvBudgetTest {
    private static final int BUDGET_TOKENS = 100;
    private static final int PROMPT = 10;
    private LlamaDecoder decoder;
    private RowEngine engine;

    @BeforeAll
    void load() {
        decoder = LlamaDecoder.load(TestModels.embeddedDemo(), DeviceSpec.cpu());
        long perToken = KvBudget.bytesPerToken(decoder.config(), decoder.device().dtype().getNumOfBytes());
        // Half a token more than the budget's tokens: only whole tokens count.
        EngineLimits limits = new EngineLimits(8, 4096, 1L << 26, 1_000_000L, BUDGET_TOKENS * perToken + perToken / 2);
        engine = new RowEngine(decoder, limits, (rows, tokens, nanos) -> { }, "kv-test", PrefixCacheOptions.OFF);
    }

    @AfterAll
    void close() {
        engine.close();
        decoder.close();
    }

    private static OpenRows open(String id, int rows, int answerTokens) {
        List<RowPrompt> prompts = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            int[] tokens = new int[PROMPT];
            for (int t = 0; t < PROMPT; t++) {
                tokens[t] = 200 + 7 * t + r;
            }
            prompts.add(new RowPrompt(r, tokens));
        }
        return new OpenRows(id, new StepParams(0.95, new NbceParams(0.25, 0.1, Pooling.MIN_ENTROPY)), -1, 0, prompts,
                answerTokens);
    }

    private static ErrorCode refusal(ExecutionException e) {
        return ((NbceException) e.getCause()).code();
    }

    private void awaitFree(int tokens) throws InterruptedException {
        for (int i = 0; i < 200 && engine.freeKvTokens() != tokens; i++) {
            Thread.sleep(10);
        }
        assertEquals(tokens, engine.freeKvTokens());
    }

    @Test
    void refusesBeyondItsTokensAndAcceptsAfterAClose() throws Exception {
        assertEquals(BUDGET_TOKENS, engine.capacityKvTokens());
        engine.open(open("a", 2, 30)).get(30, TimeUnit.SECONDS); // 2 x (10 + 30) = 80 tokens
        assertEquals(BUDGET_TOKENS - 80, engine.freeKvTokens());
        // 2 rows are far below the row cap (8), but 40 tokens are more than the 20 left.
        ExecutionException full = assertThrows(ExecutionException.class,
                () -> engine.open(open("b", 1, 30)).get(30, TimeUnit.SECONDS));
        assertEquals(ErrorCode.CAPACITY, refusal(full), "retryable: the gateway places it elsewhere or waits");
        assertTrue(full.getCause().getMessage().contains("20 free KV tokens"), full.getCause().getMessage());
        assertEquals(2, engine.activeRows(), "a refused open holds nothing");
        engine.open(open("c", 1, 10)).get(30, TimeUnit.SECONDS); // exactly the 20 left
        assertEquals(0, engine.freeKvTokens());
        engine.close("a");
        engine.close("c");
        awaitFree(BUDGET_TOKENS);
        engine.open(open("b", 1, 30)).get(30, TimeUnit.SECONDS);
        assertEquals(BUDGET_TOKENS - 40, engine.freeKvTokens());
        engine.close("b");
        awaitFree(BUDGET_TOKENS);
    }

    @Test
    void anUnknownAnswerReservesTheWholeModel() throws Exception {
        int maxPositions = decoder.config().maxPositions();
        assertTrue(maxPositions > BUDGET_TOKENS, "the demo model holds more positions than this budget");
        ExecutionException whole = assertThrows(ExecutionException.class,
                () -> engine.open(open("u", 1, OpenRows.UNKNOWN_ANSWER)).get(30, TimeUnit.SECONDS));
        assertEquals(ErrorCode.CAPACITY, refusal(whole));
        awaitFree(BUDGET_TOKENS);
    }

    @Test
    void droppedRowsFreeTheirRowsAndTokensBeforeTheStep() throws Exception {
        ShardStep first = engine.open(open("d", 3, 20)).get(30, TimeUnit.SECONDS); // 3 x (10 + 20) = 90 tokens
        assertArrayEquals(new int[] {0, 1, 2}, first.report().rows());
        assertEquals(BUDGET_TOKENS - 90, engine.freeKvTokens());
        assertEquals(3, engine.activeRows());
        // A window selection keeps row 1: row 2 goes with the advance, before the step's forward.
        ShardStep next = engine.advance(new Advance("d", 1, 7, 1, new int[] {2})).get(30, TimeUnit.SECONDS);
        assertArrayEquals(new int[] {0, 1}, next.report().rows(), "a dropped row neither decodes nor reports");
        assertEquals(BUDGET_TOKENS - 60, engine.freeKvTokens(), "its prompt and answer budget are free again");
        assertEquals(2, engine.activeRows());
        try {
            ExecutionException gone = assertThrows(ExecutionException.class,
                    () -> engine.advance(new Advance("d", 2, 7, 1, new int[] {2})).get(30, TimeUnit.SECONDS));
            assertEquals(ErrorCode.BAD_REQUEST, refusal(gone), "a row dropped once is not here any more");
        } finally {
            engine.close("d");
        }
        awaitFree(BUDGET_TOKENS);
    }
}
