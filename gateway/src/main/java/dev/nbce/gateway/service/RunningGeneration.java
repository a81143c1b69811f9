package dev.nbce.gateway.service;

import dev.nbce.gateway.request.GenerationResult;
import io.vertx.core.Future;

/** A generation that was admitted: its id, its eventual result, and how to stop it early. */
public final class RunningGeneration {
    private final String requestId;
    private final Future<GenerationResult> result;
    private final Runnable canceller;

    RunningGeneration(String requestId, Future<GenerationResult> result, Runnable canceller) {
        this.requestId = requestId;
        this.result = result;
        this.canceller = canceller;
    }

    public String requestId() {
        return requestId;
    }

    /** Completes with the result (finish reason "cancelled" after {@link #cancel()}), or fails with an NbceException. */
    public Future<GenerationResult> result() {
        return result;
    }

    /** Stops the generation and frees its rows; safe from any thread, and more than once. */
    public void cancel() {
        canceller.run();
    }
}
