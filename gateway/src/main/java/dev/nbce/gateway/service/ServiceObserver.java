package dev.nbce.gateway.service;

import dev.nbce.gateway.request.GenerationResult;
import dev.nbce.gateway.session.SessionListener;

/** Hooks for metrics, logs and traces around each generation and connection; {@link #NONE} ignores everything. */
public interface ServiceObserver {
    default void started() {}

    default void queueDepth(int depth) {}

    /** @param result null when the generation failed */
    default void ended(GenerationResult result, long nanos) {}

    /** A client connection to the API port opened (HTTP, later perhaps upgraded to a WebSocket). */
    default void connectionOpened() {}

    /** A connection {@link #connectionOpened} reported closed. */
    default void connectionClosed() {}

    /** Lets metrics see every token (time to first token, inter-token latency) and capacity waits. */
    default SessionListener wrap(SessionListener listener, long startNanos) {
        return listener;
    }

    /** A request was admitted (it may wait in the queue): returns what follows it to its end, nothing by default. */
    default RequestObserver admitted(String requestId, RequestOrigin origin) {
        return RequestObserver.NONE;
    }

    ServiceObserver NONE = new ServiceObserver() { };
}
