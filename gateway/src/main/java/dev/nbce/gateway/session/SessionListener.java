package dev.nbce.gateway.session;

/** What a running generation tells its client and metrics. Called on the session's Vert.x context. */
public interface SessionListener {
    void onToken(TokenEvent token);

    /** Rows lost with a worker were placed again elsewhere. */
    default void onRowsReplaced(String failedWorker, int rows, Throwable cause) {}

    /** One step's reports were combined (bytes: payload size as measured by the executor, if known). */
    default void onStep(int step, long nanos) {}

    SessionListener NONE = token -> { };
}
