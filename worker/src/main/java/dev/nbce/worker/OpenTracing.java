package dev.nbce.worker;

import dev.nbce.common.wire.OpenRows;

/**
 * Spans around the opens a worker serves, for tracing (docs/operations.md: Tracing): one span per traced
 * {@link OpenRows}, from its arrival through the engine's queue and prefill to the reply, in the trace the
 * gateway sent along. {@link #NONE} when tracing is off, so the worker needs no tracing library.
 */
public interface OpenTracing {
    /** A traced open arrived at {@code workerId}; returns what ends its span. Called on the verticle's context. */
    Span opening(String workerId, OpenRows open);

    /** Ends one open's span: with {@code error} null when its rows reported, else why the open failed. */
    @FunctionalInterface
    interface Span {
        void ended(Throwable error);
    }

    OpenTracing NONE = (workerId, open) -> error -> { };
}
