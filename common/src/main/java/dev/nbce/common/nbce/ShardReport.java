package dev.nbce.common.nbce;

import java.util.Arrays;
import java.util.Objects;

/**
 * One worker's reduced result for its rows of one request at one step (docs/design.md,
 * How the step is distributed).
 *
 * @param rows       global row numbers held here (0 = the no-context row)
 * @param entropies  entropy of each of those rows, stickiness already applied
 * @param bestRow    the lowest-entropy context row here (ties: lowest row), -1 if none
 * @param best       its truncated log-probs under min_entropy pooling, else null
 * @param row0       the no-context row's truncated log-probs when held here, else null
 * @param sum        average pooling: element-wise sum over this shard's context rows, an id present
 *                   only where finite in all of them; null otherwise
 * @param sumCount   how many rows {@code sum} adds up (0 when there is no sum)
 */
public record ShardReport(int[] rows, double[] entropies, int bestRow, ScoreVector best, ScoreVector row0,
                          ScoreVector sum, int sumCount) {
    public ShardReport {
        if (rows == null || entropies == null || rows.length != entropies.length) {
            throw new IllegalArgumentException("shard report: one entropy per row");
        }
        if (bestRow < -1 || bestRow == 0 || sumCount < 0 || (sum == null) != (sumCount == 0)) {
            throw new IllegalArgumentException("shard report: best row must be -1 or a context row, and a sum comes"
                    + " with its positive count");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ShardReport r && Arrays.equals(r.rows, rows) && Arrays.equals(r.entropies, entropies)
                && r.bestRow == bestRow && Objects.equals(r.best, best) && Objects.equals(r.row0, row0)
                && Objects.equals(r.sum, sum) && r.sumCount == sumCount;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(rows), Arrays.hashCode(entropies), bestRow, best, row0, sum, sumCount);
    }

    @Override
    public String toString() {
        return "ShardReport[rows=" + Arrays.toString(rows) + ", entropies=" + Arrays.toString(entropies) + ", bestRow="
                + bestRow + ", best=" + best + ", row0=" + row0 + ", sum=" + sum + ", sumCount=" + sumCount + "]";
    }
}
