package dev.nbce.common.nbce;

/**
 * One worker's reduced result for its rows of one request at one step (DESIGN.md §2,
 * "Distributing it exactly").
 *
 * @param rows       global row numbers held here (0 = the no-context row)
 * @param entropies  entropy of each of those rows, stickiness already applied
 * @param bestRow    the lowest-entropy context row here (ties: lowest row), -1 if none
 * @param best       its truncated log-probs (min_entropy pooling), else null
 * @param row0       the no-context row's truncated log-probs, when held here, else null
 * @param sum        average pooling: element-wise sum over this shard's context rows, present
 *                   only where finite in all of them; null otherwise
 * @param sumCount   how many rows {@code sum} adds up
 */
public record ShardReport(int[] rows, double[] entropies, int bestRow, ScoreVector best, ScoreVector row0,
                          ScoreVector sum, int sumCount) {
    public ShardReport {
        if (rows.length != entropies.length) {
            throw new IllegalArgumentException("one entropy per row");
        }
    }
}
