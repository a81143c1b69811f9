package dev.nbce.worker.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;
import dev.nbce.common.step.LogitRules;
import dev.nbce.common.step.NbceParams;
import dev.nbce.common.step.StepParams;
import dev.nbce.common.wire.Advance;
import dev.nbce.common.wire.OpenRows;
import dev.nbce.common.wire.RowPrompt;
import dev.nbce.worker.model.ModelConfig;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Admission of opens and advances, on plain objects: no thread, no model (rows get no KV cache: the
 * fake prefix cache never touches them, and nothing here closes them).
 */
class RequestsTest {
    private static final ModelConfig CONFIG = ModelConfig.qwen25_05b();
    private static final StepParams PARAMS = new StepParams(0.95, NbceParams.DEFAULT);

    private final FakeBlocks blocks = new FakeBlocks();
    /** 100 tokens of 10 bytes. */
    private final KvManager kv = new KvManager(new KvBudget(10, 1000));
    private final Requests requests = new Requests(CONFIG, () -> null, 3, "worker w1", kv,
            new PrefixPolicy(blocks, "worker w1"), new Scheduler(8));

    private static OpenRows open(String id, int step, int answerTokens, int... lengths) {
        List<RowPrompt> rows = java.util.stream.IntStream.range(0, lengths.length)
                .mapToObj(i -> new RowPrompt(i, java.util.stream.IntStream.range(0, lengths[i]).toArray())).toList();
        return new OpenRows(id, PARAMS, -1, step, rows, answerTokens);
    }

    private static void assertRefused(ErrorCode code, String message, Executable admit) {
        NbceException e = assertThrows(NbceException.class, admit);
        assertEquals(code, e.code());
        assertEquals(message, e.getMessage());
    }

    @Test
    void anOpenReservesPromptAndAnswerAndPrefillsWhatTheCacheLacks() {
        Pending p = requests.open(open("a", 0, 10, 5, 7), new CompletableFuture<>());
        assertTrue(p.open());
        assertEquals(List.of(0, 1), p.positions());
        assertArrayEquals(new int[] {4}, p.tokens().get(0), "the fake cache restored all but the last token");
        assertArrayEquals(new int[] {6}, p.tokens().get(1));
        assertEquals(100 - 15 - 17, kv.freeKvTokens());
        assertEquals(List.of(1000L - 320), blocks.shrinks, "cached blocks made way for the reservation first");
        assertEquals(2, requests.activeRows());
        assertEquals(1, requests.activeRequests());
        assertTrue(requests.isOpen(p.shard()));
    }

    @Test
    void opensBeyondTheRowsOrTheKvBudgetAreRefusedAsCapacity() {
        requests.open(open("a", 0, 10, 5, 5), new CompletableFuture<>());
        assertRefused(ErrorCode.CAPACITY, "worker has 1 free rows, request needs 2",
                () -> requests.open(open("b", 0, 10, 5, 5), new CompletableFuture<>()));
        assertRefused(ErrorCode.CAPACITY, "worker w1 has 70 free KV tokens of 100, the rows need 71",
                () -> requests.open(open("b", 0, 61, 10), new CompletableFuture<>()));
        assertEquals(1, requests.size(), "nothing of a refused open stays");
    }

    @Test
    void malformedOpensAreBadRequests() {
        assertRefused(ErrorCode.BAD_REQUEST, "no rows to open", () -> requests.open(open("a", 0, 10), new CompletableFuture<>()));
        assertRefused(ErrorCode.BAD_REQUEST, "row 0 has 0 tokens; the model takes 1.." + (CONFIG.maxPositions() - 1),
                () -> requests.open(open("a", 0, 10, 0), new CompletableFuture<>()));
        requests.open(open("a", 0, 10, 5), new CompletableFuture<>());
        assertRefused(ErrorCode.BAD_REQUEST, "rows for a opened at step 1 but the request here is at step 0",
                () -> requests.open(open("a", 1, 10, 5), new CompletableFuture<>()));
    }

    @Test
    void aReplacedRowsConstraintReplaysTheAnswerSoFar() {
        LogitRules rules = new LogitRules(ShardRulesTest.DIGITS.constraint().spec().toJson(), new int[] {2}, new int[0],
                new double[0]);
        // Re-placed at step 2: the row's last two tokens (the digits 11 and 12) are the answer so far.
        Pending p = requests.open(new OpenRows("r", PARAMS, 1, 2, List.of(new RowPrompt(1, new int[] {7, 8, 11, 12})), 10,
                "", rules), ShardRulesTest.DIGITS, new CompletableFuture<>());
        assertTrue(p.shard().rules().mask().allows(2) && p.shard().rules().mask().allows(15), "two digits: EOS or a third");
        assertRefused(ErrorCode.BAD_REQUEST, "token 8 is not allowed by the request's constraint here",
                () -> requests.open(new OpenRows("s", PARAMS, 1, 2, List.of(new RowPrompt(1, new int[] {7, 11, 8})), 10, "",
                        rules), ShardRulesTest.DIGITS, new CompletableFuture<>()));
        assertEquals(1, requests.size(), "the refused open placed nothing");
    }

    @Test
    void advancesMustFollowTheRequestsStepWithinTheVocabulary() {
        assertRefused(ErrorCode.UNKNOWN_REQUEST, "no rows of request a on this worker",
                () -> requests.advance(new Advance("a", 1, 5, 0), new CompletableFuture<>()));
        requests.open(open("a", 0, 10, 5), new CompletableFuture<>());
        assertRefused(ErrorCode.BAD_REQUEST, "request a is at step 0, cannot advance to step 2",
                () -> requests.advance(new Advance("a", 2, 5, 0), new CompletableFuture<>()));
        assertRefused(ErrorCode.BAD_REQUEST, "token id " + CONFIG.vocab() + " outside the vocabulary",
                () -> requests.advance(new Advance("a", 1, CONFIG.vocab(), 0), new CompletableFuture<>()));
        assertEquals(1, requests.size(), "a refused advance leaves the request open");
    }
}
