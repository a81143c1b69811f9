package dev.nbce.common.wire;

import java.util.Arrays;
import java.util.Objects;

/**
 * The token chosen at step {@code step - 1}, drawn from {@code chosenRow} (which gets the
 * stickiness bonus next); every row of the request appends it. The reply is the report for {@code step}.
 * Rows in {@code dropRows} (a window selection pruned them; docs/nbce-modes.md) are closed first: they append
 * nothing and are not in the report, and their capacity is free before this step's forward.
 */
public record Advance(String requestId, int step, int token, int chosenRow, int[] dropRows) {
    private static final int[] NONE = {};

    public Advance {
        Objects.requireNonNull(requestId, "requestId");
        if (step < 1 || token < 0 || chosenRow < 0) {
            throw new IllegalArgumentException("advance: step >= 1, token >= 0 and chosen row >= 0 required");
        }
        dropRows = dropRows == null ? NONE : dropRows.clone();
        if (Arrays.stream(dropRows).anyMatch(row -> row < 1)) {
            throw new IllegalArgumentException("advance: only context rows (>= 1) can be dropped");
        }
    }

    public Advance(String requestId, int step, int token, int chosenRow) {
        this(requestId, step, token, chosenRow, NONE);
    }

    @Override
    public int[] dropRows() {
        return dropRows.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Advance a && a.requestId.equals(requestId) && a.step == step && a.token == token
                && a.chosenRow == chosenRow && Arrays.equals(a.dropRows, dropRows);
    }

    @Override
    public int hashCode() {
        return Objects.hash(requestId, step, token, chosenRow, Arrays.hashCode(dropRows));
    }

    @Override
    public String toString() {
        return "Advance[requestId=" + requestId + ", step=" + step + ", token=" + token + ", chosenRow=" + chosenRow
                + ", dropRows=" + Arrays.toString(dropRows) + "]";
    }
}
