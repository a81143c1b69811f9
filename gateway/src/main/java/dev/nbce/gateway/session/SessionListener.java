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

    SessionListener NONE = token -> { };
}
