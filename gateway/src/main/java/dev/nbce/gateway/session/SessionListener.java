package dev.nbce.gateway.session;

import java.util.List;
import java.util.Map;

/** What a running generation tells its client, metrics and traces. Called on the session's Vert.x context. */
public interface SessionListener {
    void onToken(TokenEvent token);

    /** Rows lost with a worker were placed again elsewhere. */
    default void onRowsReplaced(String failedWorker, int rows, Throwable cause) {}

    /** One step's reports were combined (bytes: payload size as measured by the executor, if known). */
    default void onStep(int step, long nanos) {}

    /**
     * A worker prefilled rows and reported on them: {@code tokens} prompt tokens in all, counted before any
     * prefix-cache restore (an open refused for capacity counts only where it is placed in the end).
     */
    default void onPrefill(int rows, int tokens) {}

    /** {@code rows} rows decode one token each for the next step (the rows·steps of a request add up these). */
    default void onDecode(int rows) {}

    /** A step verified {@code drafted} draft tokens and accepted the first {@code accepted} of them. */
    default void onDraftVerified(int drafted, int accepted) {}

    /**
     * Rows were placed (first, or again after a failure or a full worker): the rows each worker got, and how many
     * of them went to a worker that announced a cached prefix of them.
     */
    default void onPlaced(Map<String, List<Integer>> rowsByWorker, int cachedPrefixRows) {}

    /**
     * The W3C trace context that rows opened now carry to their workers, or null when the request is not traced
     * (docs/operations.md: Tracing). Asked for at each placement.
     */
    default String traceparent() {
        return null;
    }

    /**
     * The request started ({@code true}) or stopped ({@code false}) waiting for free rows or KV tokens on
     * the workers: every start is followed by one stop, whether the rows were then placed, the wait
     * timed out or the request ended. Nested waits (a re-placement while the first still waits) are
     * reported each.
     */
    default void onCapacityWait(boolean waiting) {}

    SessionListener NONE = token -> { };
}
