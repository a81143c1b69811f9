package dev.nbce.gateway.session;

import java.util.PriorityQueue;

/**
 * A session's event loop in a test: tasks run one after another in time order, and time moves
 * only when the next task is due, so a 60 s capacity wait takes microseconds.
 */
final class ManualClock implements SessionClock {
    private record Task(long dueNanos, long sequence, Runnable run) {}

    private final PriorityQueue<Task> tasks = new PriorityQueue<>((a, b) -> a.dueNanos != b.dueNanos
            ? Long.compare(a.dueNanos, b.dueNanos) : Long.compare(a.sequence, b.sequence));
    private long now = 1_000_000_000L;
    private long sequence;

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public void schedule(long delayMillis, Runnable task) {
        tasks.add(new Task(now + delayMillis * 1_000_000L, sequence++, task));
    }

    /** Runs what is due within {@code millis} from now, then sets the time to that moment. */
    void runFor(long millis) {
        long until = now + millis * 1_000_000L;
        while (!tasks.isEmpty() && tasks.peek().dueNanos <= until) {
            Task task = tasks.poll();
            now = Math.max(now, task.dueNanos);
            task.run.run();
        }
        now = until;
    }

    /** Runs tasks until none is left (a generation that ends leaves none). */
    void runUntilIdle() {
        for (int i = 0; !tasks.isEmpty(); i++) {
            if (i > 1_000_000) {
                throw new AssertionError("the session never goes idle");
            }
            Task task = tasks.poll();
            now = Math.max(now, task.dueNanos);
            task.run.run();
        }
    }

    long elapsedMillis(long sinceNanos) {
        return (now - sinceNanos) / 1_000_000L;
    }
}
