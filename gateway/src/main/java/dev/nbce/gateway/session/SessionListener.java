package dev.nbce.gateway.session;

/** What a running generation tells its client and metrics. Called on the session's Vert.x context. */
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

    /**
     * The request started ({@code true}) or stopped ({@code false}) waiting for free rows or KV tokens on
     * the workers: every start is followed by one stop, whether the rows were then placed, the wait
     * timed out or the request ended. Nested waits (a re-placement while the first still waits) are
     * reported each.
     */
    default void onCapacityWait(boolean waiting) {}

    SessionListener NONE = token -> { };
}
