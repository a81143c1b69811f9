package dev.nbce.worker.engine;

import dev.nbce.common.constraint.CompilerPool;
import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;
import dev.nbce.common.wire.Advance;
import dev.nbce.common.wire.OpenRows;
import dev.nbce.common.wire.ShardStep;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The engine's commands: callers on any thread (event loops) only enqueue; the engine thread takes
 * them in batches, one batch per loop.
 */
final class Inbox {
    sealed interface Command permits OpenCommand, AdvanceCommand, CloseCommand, StopCommand {}

    /** @param constraint the open's constraint, compiled for this worker; null when it has none */
    record OpenCommand(OpenRows open, CompilerPool.Compiled constraint, CompletableFuture<ShardStep> reply) implements Command {}

    record AdvanceCommand(Advance advance, CompletableFuture<ShardStep> reply) implements Command {}

    record CloseCommand(String requestId) implements Command {}

    record StopCommand() implements Command {}

    private final LinkedBlockingQueue<Command> queue = new LinkedBlockingQueue<>();
    private final long batchWaitNanos;
    private volatile boolean running = true;

    /** @param batchWaitNanos how long a batch waits for decoding requests' next steps */
    Inbox(long batchWaitNanos) {
        this.batchWaitNanos = batchWaitNanos;
    }

    /** False once {@link #stop} was called: new opens and advances fail at once. */
    boolean running() {
        return running;
    }

    CompletableFuture<ShardStep> open(OpenRows open, CompilerPool.Compiled constraint) {
        return submit(reply -> new OpenCommand(open, constraint, reply));
    }

    CompletableFuture<ShardStep> advance(Advance advance) {
        return submit(reply -> new AdvanceCommand(advance, reply));
    }

    void close(String requestId) {
        queue.add(new CloseCommand(requestId));
    }

    /** Refuses new work and wakes the engine thread to stop. */
    void stop() {
        running = false;
        queue.add(new StopCommand());
    }

    private CompletableFuture<ShardStep> submit(Function<CompletableFuture<ShardStep>, Command> make) {
        CompletableFuture<ShardStep> reply = new CompletableFuture<>();
        if (!running) {
            reply.completeExceptionally(new NbceException(ErrorCode.SHUTTING_DOWN, "worker is shutting down"));
        } else {
            queue.add(make.apply(reply));
        }
        return reply;
    }

    /** Waits for the next command (when the engine has nothing else to do). */
    void take(List<Command> batch) throws InterruptedException {
        batch.add(queue.take());
    }

    /**
     * Takes what else has arrived. While fewer advances than {@code decoding} requests are in, waits a
     * little for the rest, so that concurrent requests share one forward instead of alternating.
     */
    void gatherMore(List<Command> batch, long decoding) throws InterruptedException {
        queue.drainTo(batch);
        long deadline = System.nanoTime() + batchWaitNanos;
        while (countAdvances(batch) < decoding && System.nanoTime() < deadline) {
            Command next = queue.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (next == null) {
                break;
            }
            batch.add(next);
            queue.drainTo(batch);
        }
    }

    private static long countAdvances(List<Command> batch) {
        return batch.stream().filter(AdvanceCommand.class::isInstance).count();
    }

    /** Answers the command's caller, if it has one, with {@code e}. */
    static void fail(Command command, NbceException e) {
        if (command instanceof OpenCommand open) {
            open.reply().completeExceptionally(e);
        } else if (command instanceof AdvanceCommand advance) {
            advance.reply().completeExceptionally(e);
        }
    }

    /** Answers every command still queued: the engine has stopped. */
    void failQueued() {
        List<Command> left = new ArrayList<>();
        queue.drainTo(left);
        NbceException stopped = new NbceException(ErrorCode.SHUTTING_DOWN, "worker is shutting down");
        left.forEach(c -> fail(c, stopped));
    }
}
