package dev.nbce.common.wire;

import dev.nbce.common.request.StepParams;
import java.util.List;
import java.util.Objects;

/**
 * Places rows of a request on a worker and prefills them; the reply is a {@link ShardStep} with
 * their report for {@code step}. Also re-places rows lost with a failed worker: their tokens then
 * include those generated so far, and {@code previousChosenRow} carries the stickiness on.
 *
 * @param params            the request's step parameters, as the request gave them
 * @param previousChosenRow the row chosen at the step before {@code step}; -1 when {@code step} is 0
 * @param step              the step the reply reports on (0 = the first generated token)
 */
public record OpenRows(String requestId, StepParams params, int previousChosenRow, int step, List<RowPrompt> rows) {
    public OpenRows {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(params, "params");
        if (step < 0 || previousChosenRow < -1) {
            throw new IllegalArgumentException("open rows: step >= 0 and previous row >= -1 required");
        }
        rows = List.copyOf(rows);
    }
}
