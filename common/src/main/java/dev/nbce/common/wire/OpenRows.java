package dev.nbce.common.wire;

import dev.nbce.common.step.StepParams;
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
 * @param answerTokens      tokens the request may still generate: each row reserves its prompt plus these
 *                          in the worker's KV budget (at most the model's positions); {@link #UNKNOWN_ANSWER}:
 *                          reserve up to the model's positions
 * @param traceparent       the W3C trace context the worker's span for this open continues (docs/operations.md:
 *                          Tracing); empty when the request is not traced
 */
public record OpenRows(String requestId, StepParams params, int previousChosenRow, int step, List<RowPrompt> rows,
                       int answerTokens, String traceparent) {
    public static final int UNKNOWN_ANSWER = -1;

    public OpenRows {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(traceparent, "traceparent");
        if (step < 0 || previousChosenRow < -1 || answerTokens < UNKNOWN_ANSWER) {
            throw new IllegalArgumentException("open rows: step >= 0, previous row >= -1 and answer tokens >= -1 required");
        }
        rows = List.copyOf(rows);
    }

    /** An untraced open. */
    public OpenRows(String requestId, StepParams params, int previousChosenRow, int step, List<RowPrompt> rows,
                    int answerTokens) {
        this(requestId, params, previousChosenRow, step, rows, answerTokens, "");
    }

    public OpenRows(String requestId, StepParams params, int previousChosenRow, int step, List<RowPrompt> rows) {
        this(requestId, params, previousChosenRow, step, rows, UNKNOWN_ANSWER);
    }

    /** KV tokens a row with {@code promptTokens} reserves, for a model of {@code maxPositions} positions. */
    public static int reservedTokens(int promptTokens, int answerTokens, int maxPositions) {
        return answerTokens == UNKNOWN_ANSWER ? maxPositions
                : (int) Math.min(maxPositions, (long) promptTokens + answerTokens);
    }
}
