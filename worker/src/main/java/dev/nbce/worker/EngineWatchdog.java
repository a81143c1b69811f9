package dev.nbce.worker;

import dev.nbce.worker.engine.RowEngine;

/**
 * Says whether the engine thread is really serving: alive, and not stuck in one loop iteration
 * (a wedged native call, an endless forward) for longer than {@code stallMillis}. An idle engine
 * waiting for commands is healthy. Drives the worker's /health and its announcements, so a worker
 * whose engine is gone stops advertising capacity instead of swallowing rows.
 */
public final class EngineWatchdog {
    /** Default stall time: longer than any legitimate forward of one iteration. */
    public static final long DEFAULT_STALL_MILLIS = 60_000;

    private final RowEngine engine;
    private final long stallNanos;

    public EngineWatchdog(RowEngine engine, long stallMillis) {
        if (stallMillis < 1) {
            throw new IllegalArgumentException("engine stall time must be >= 1 ms");
        }
        this.engine = engine;
        this.stallNanos = stallMillis * 1_000_000L;
    }

    /** Null when the engine is healthy, else one line saying why not. */
    public String problem() {
        if (!engine.threadAlive()) {
            return "engine thread has died";
        }
        long busyFor = engine.currentIterationNanos();
        if (busyFor > stallNanos) {
            return "engine iteration has been running for " + busyFor / 1_000_000 + " ms";
        }
        return null;
    }
}
