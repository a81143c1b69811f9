package dev.nbce.gateway.session;

import io.vertx.core.Vertx;

/** The time and timers a session waits with: Vert.x's in the service, a manual clock in tests. */
public interface SessionClock {
    long nanoTime();

    /** Runs {@code task} on the session's context after {@code delayMillis}. */
    void schedule(long delayMillis, Runnable task);

    static SessionClock of(Vertx vertx) {
        return new SessionClock() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void schedule(long delayMillis, Runnable task) {
                vertx.setTimer(delayMillis, id -> task.run());
            }
        };
    }
}
