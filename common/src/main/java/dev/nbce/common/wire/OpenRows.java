package dev.nbce.common.wire;

import dev.nbce.common.request.Pooling;
import java.util.List;

/**
 * Places rows of a request on a worker and prefills them; the reply is their report for {@code step}.
 * Also re-places rows lost with a failed worker: their tokens then include those generated so far.
 */
public record OpenRows(String requestId, double topP, double eta, Pooling pooling, int previousChosenRow, int step,
                       List<RowPrompt> rows) {
    public OpenRows {
        rows = List.copyOf(rows);
    }
}
