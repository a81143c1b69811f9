package dev.nbce.common.wire;

import java.util.Objects;

/** Frees a request's rows on a worker (finished, cancelled or failed). */
public record CloseRequest(String requestId) {
    public CloseRequest {
        Objects.requireNonNull(requestId, "requestId");
    }
}
