package dev.nbce.common.wire;

import java.util.Arrays;
import java.util.Objects;

/**
 * The token chosen at step {@code step - 1}, drawn from {@code chosenRow} (which gets the
 * stickiness bonus next); every row of the request appends it. The reply is the report for {@code step}.
 * Rows in {@code dropRows} (a window selection pruned them; docs/nbce-modes.md) are closed first: they append
 * nothing and are not in the report, and their capacity is free before this step's forward.
 *
 * <p>Speculative decoding (docs/speculative-decoding.md): {@code keptDrafts} of the drafts sent with the previous
 * advance were accepted (they are steps {@code step - 1 - keptDrafts} to {@code step - 2}); the rows forget the
 * rest before appending {@code token}. Then they feed {@code drafts} after it, in the same forward, and the reply
 * carries a report for each drafted position too.
 */
public record Advance(String requestId, int step, int token, int chosenRow, int[] dropRows, int keptDrafts,
                      int[] drafts) {
    /** The most draft tokens one advance may carry (each row verifies them all in one forward). */
    public static final int MAX_DRAFTS = 16;
    private static final int[] NONE = {};

    public Advance {
        Objects.requireNonNull(requestId, "requestId");
        if (step < 1 || token < 0 || chosenRow < 0 || keptDrafts < 0 || step <= keptDrafts) {
            throw new IllegalArgumentException("advance: step >= 1, token >= 0, chosen row >= 0 and 0 <= kept drafts"
                    + " < step required");
        }
        dropRows = dropRows == null ? NONE : dropRows.clone();
        if (Arrays.stream(dropRows).anyMatch(row -> row < 1)) {
            throw new IllegalArgumentException("advance: only context rows (>= 1) can be dropped");
        }
        drafts = drafts == null ? NONE : drafts.clone();
        if (drafts.length > MAX_DRAFTS || Arrays.stream(drafts).anyMatch(id -> id < 0)) {
            throw new IllegalArgumentException("advance: at most " + MAX_DRAFTS + " draft token ids, each >= 0");
        }
    }

    public Advance(String requestId, int step, int token, int chosenRow, int[] dropRows) {
        this(requestId, step, token, chosenRow, dropRows, 0, NONE);
    }

    public Advance(String requestId, int step, int token, int chosenRow) {
        this(requestId, step, token, chosenRow, NONE);
    }

    @Override
    public int[] dropRows() {
        return dropRows.clone();
    }

    @Override
    public int[] drafts() {
        return drafts.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Advance a && a.requestId.equals(requestId) && a.step == step && a.token == token
                && a.chosenRow == chosenRow && Arrays.equals(a.dropRows, dropRows) && a.keptDrafts == keptDrafts
                && Arrays.equals(a.drafts, drafts);
    }

    @Override
    public int hashCode() {
        return Objects.hash(requestId, step, token, chosenRow, Arrays.hashCode(dropRows), keptDrafts,
                Arrays.hashCode(drafts));
    }

    @Override
    public String toString() {
        return "Advance[requestId=" + requestId + ", step=" + step + ", token=" + token + ", chosenRow=" + chosenRow
                + ", dropRows=" + Arrays.toString(dropRows) + ", keptDrafts=" + keptDrafts + ", drafts="
                + Arrays.toString(drafts) + "]";
    }
}
