package dev.nbce.common.nbce;

import dev.nbce.common.step.NbceParams;
import dev.nbce.common.step.Pooling;
import java.util.Arrays;
import java.util.Objects;

/**
 * One worker's rows at one position, before stickiness: what the gateway needs to finish the step exactly once it
 * knows which row was chosen at the position before (docs/speculative-decoding.md). A speculative step verifies
 * several drafted positions in one forward, and the row that gets the bonus η at position j is the one chosen at
 * j − 1, which only the gateway learns, after combining every worker's reports of j − 1.
 *
 * <p>So the worker sends every row's entropy without η, and under min_entropy pooling the vector of each row that
 * can be its local choice whichever row gets η: the local best without η, and every row within η of it.
 * {@link #resolve} then gives the very {@link ShardReport} the worker would have sent had it known the previous
 * choice ({@link ShardReducer#reduce} itself is {@code reducePosition(...).resolve(previous)}).
 *
 * @param rows           global row numbers held here (0 = the no-context row)
 * @param entropies      each row's entropy, no stickiness applied
 * @param candidateRows  min_entropy: the context rows that can be the local choice, ascending; empty otherwise
 * @param candidates     their truncated log-probs, in the order of {@code candidateRows}
 * @param row0           the no-context row's truncated log-probs when held here, else null
 * @param sum            average pooling: the sum over this shard's context rows (see {@link ShardReport}); else null
 * @param sumCount       how many rows {@code sum} adds up
 */
public record PositionReport(int[] rows, double[] entropies, int[] candidateRows, ScoreVector[] candidates,
                             ScoreVector row0, ScoreVector sum, int sumCount) {
    public PositionReport {
        if (rows == null || entropies == null || rows.length != entropies.length) {
            throw new IllegalArgumentException("position report: one entropy per row");
        }
        if (candidateRows == null || candidates == null || candidateRows.length != candidates.length) {
            throw new IllegalArgumentException("position report: one vector per candidate row");
        }
        if (sumCount < 0 || (sum == null) != (sumCount == 0)) {
            throw new IllegalArgumentException("position report: a sum comes with its positive count");
        }
    }

    /**
     * The report of this position given the row chosen at the position before ({@code previousChosenRow} gets η;
     * -1 at the first step): the same doubles, best row and vectors as {@link ShardReducer#reduce}.
     *
     * @throws IllegalStateException when the rows that could win were not all sent (a worker bug)
     */
    public ShardReport resolve(int previousChosenRow, NbceParams nbce) {
        double[] sticky = entropies.clone();
        int bestRow = -1;
        double bestEntropy = Double.POSITIVE_INFINITY;
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] == previousChosenRow) {
                sticky[i] -= nbce.eta();
            }
            if (rows[i] >= 1 && (sticky[i] < bestEntropy || (sticky[i] == bestEntropy && rows[i] < bestRow))) {
                bestEntropy = sticky[i];
                bestRow = rows[i];
            }
        }
        ScoreVector best = nbce.pooling() == Pooling.MIN_ENTROPY && bestRow >= 1 ? candidate(bestRow) : null;
        return new ShardReport(rows.clone(), sticky, bestRow, best, row0, sum, sumCount);
    }

    private ScoreVector candidate(int row) {
        int at = Arrays.binarySearch(candidateRows, row);
        if (at < 0) {
            throw new IllegalStateException("row " + row + " can be chosen but its vector was not sent");
        }
        return candidates[at];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PositionReport r && Arrays.equals(r.rows, rows) && Arrays.equals(r.entropies, entropies)
                && Arrays.equals(r.candidateRows, candidateRows) && Arrays.equals(r.candidates, candidates)
                && Objects.equals(r.row0, row0) && Objects.equals(r.sum, sum) && r.sumCount == sumCount;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(rows), Arrays.hashCode(entropies), Arrays.hashCode(candidateRows),
                Arrays.hashCode(candidates), row0, sum, sumCount);
    }

    @Override
    public String toString() {
        return "PositionReport[rows=" + Arrays.toString(rows) + ", entropies=" + Arrays.toString(entropies)
                + ", candidateRows=" + Arrays.toString(candidateRows) + ", row0=" + row0 + ", sum=" + sum
                + ", sumCount=" + sumCount + "]";
    }
}
