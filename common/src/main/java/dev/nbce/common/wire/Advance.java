package dev.nbce.common.wire;

import java.util.Objects;

/**
 * The token chosen at step {@code step - 1}, drawn from {@code chosenRow} (which gets the
 * stickiness bonus next); every row of the request appends it. The reply is the report for {@code step}.
 */
public record Advance(String requestId, int step, int token, int chosenRow) {
    public Advance {
        Objects.requireNonNull(requestId, "requestId");
        if (step < 1 || token < 0 || chosenRow < 0) {
            throw new IllegalArgumentException("advance: step >= 1, token >= 0 and chosen row >= 0 required");
        }
    }
}
