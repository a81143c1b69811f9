package dev.nbce.worker.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;
import dev.nbce.common.wire.Advance;
import dev.nbce.common.wire.ShardStep;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The engine's commands, batched on the calling thread: no engine thread, no model. */
class InboxTest {
    private static ErrorCode failure(CompletableFuture<ShardStep> reply) {
        ExecutionException e = assertThrows(ExecutionException.class, reply::get);
        return assertInstanceOf(NbceException.class, e.getCause()).code();
    }

    @Test
    void aBatchTakesWhatArrivedInOrder() throws InterruptedException {
        Inbox inbox = new Inbox(0);
        inbox.advance(new Advance("a", 1, 5, 0));
        inbox.close("b");
        List<Inbox.Command> batch = new ArrayList<>();
        inbox.take(batch);
        inbox.gatherMore(batch, 0);
        assertInstanceOf(Inbox.AdvanceCommand.class, batch.get(0));
        assertEquals(new Inbox.CloseCommand("b"), batch.get(1));
    }

    @Test
    void aBatchWaitsForTheStepsOfDecodingRequestsOnlyUntilTheDeadline() throws InterruptedException {
        Inbox inbox = new Inbox(20_000_000L);
        inbox.advance(new Advance("a", 1, 5, 0));
        List<Inbox.Command> batch = new ArrayList<>();
        long t0 = System.nanoTime();
        inbox.gatherMore(batch, 2);
        assertTrue(System.nanoTime() - t0 >= 20_000_000L, "waited for the second request's step");
        assertEquals(1, batch.size());

        Inbox patient = new Inbox(5_000_000_000L);
        patient.advance(new Advance("a", 2, 5, 0));
        batch.clear();
        t0 = System.nanoTime();
        patient.gatherMore(batch, 1);
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "every decoding request's step is in: no wait");
    }

    @Test
    void aStoppedInboxRefusesWorkAndFailsWhatIsQueued() {
        Inbox inbox = new Inbox(0);
        CompletableFuture<ShardStep> queued = inbox.advance(new Advance("a", 1, 5, 0));
        inbox.stop();
        assertFalse(inbox.running());
        assertEquals(ErrorCode.SHUTTING_DOWN, failure(inbox.advance(new Advance("a", 2, 5, 0))));
        inbox.failQueued();
        assertEquals(ErrorCode.SHUTTING_DOWN, failure(queued));
    }
}
