package dev.nbce.gateway.session;

import java.util.List;
import java.util.Map;

/** Passes every call on to another listener; a subclass overrides what it also wants to see (metrics, traces). */
public abstract class ForwardingSessionListener implements SessionListener {
    private final SessionListener next;

    protected ForwardingSessionListener(SessionListener next) {
        this.next = next;
    }

    @Override
    public void onToken(TokenEvent token) {
        next.onToken(token);
    }

    @Override
    public void onRowsReplaced(String failedWorker, int rows, Throwable cause) {
        next.onRowsReplaced(failedWorker, rows, cause);
    }

    @Override
    public void onStep(int step, long nanos) {
        next.onStep(step, nanos);
    }

    @Override
    public void onPrefill(int rows, int tokens) {
        next.onPrefill(rows, tokens);
    }

    @Override
    public void onDecode(int rows) {
        next.onDecode(rows);
    }

    @Override
    public void onDraftVerified(int drafted, int accepted) {
        next.onDraftVerified(drafted, accepted);
    }

    @Override
    public void onPlaced(Map<String, List<Integer>> rowsByWorker, int cachedPrefixRows) {
        next.onPlaced(rowsByWorker, cachedPrefixRows);
    }

    @Override
    public void onCapacityWait(boolean waiting) {
        next.onCapacityWait(waiting);
    }

    @Override
    public String traceparent() {
        return next.traceparent();
    }
}
