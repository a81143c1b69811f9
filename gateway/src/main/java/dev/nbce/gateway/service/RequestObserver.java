package dev.nbce.gateway.service;

import dev.nbce.gateway.request.GenerationResult;
import dev.nbce.gateway.session.GenerationPlan;
import dev.nbce.gateway.session.SessionListener;

/**
 * Follows one admitted request from the queue to its end, for its trace (docs/operations.md: Tracing): the
 * {@link ServiceObserver} makes one per request. Called on the request's Vert.x context, except
 * {@link #prepared}, which runs where the prompt was prepared. {@link #NONE} ignores everything.
 */
public interface RequestObserver {
    /** The request left the admission queue; preparing it (template, tokenize, window) starts. */
    default void started() {}

    /** Its rows are ready: the generation is about to place them. */
    default void prepared(GenerationPlan plan) {}

    /** Lets the trace see the generation's placements, steps and failovers; returns {@code listener} by default. */
    default SessionListener wrap(SessionListener listener) {
        return listener;
    }

    /** The request ended: {@code result} null when it failed with {@code failure}. */
    default void ended(GenerationResult result, Throwable failure) {}

    RequestObserver NONE = new RequestObserver() { };
}
