package dev.nbce.common.nbce;

/**
 * The usual decode step: the most probable token alone holds top_p of the mass, so the rule keeps rank
 * 0 only. Decided from that token's exact fixed-point mass against a bound on the total that needs no
 * pass over the vocabulary: Σ e^l differs from Σ e^(z - logZ) ≈ 1 only by the float rounding δ of each
 * l, |δ| ≤ 2^-24·|l|, and Σ e^l·|l| (an entropy) is at most log(vocab).
 */
final class TopTokenNucleus {
    private TopTokenNucleus() {}

    /** The row's nucleus as a one-entry vector when it is just the top token, else null (the caller decides). */
    static ScoreVector of(SoftmaxRow row, double topP) {
        int vocab = row.logits().length;
        if (vocab == 0 || !(row.sum() >= 1) || !Double.isFinite(row.logZ())) {
            return null;
        }
        float top = (float) (row.max() - row.logZ()); // the largest log-prob
        // total ≤ 2^62·(1 + rounding of δ, of the sum and of logZ) + 1/2 per token, generously
        double relative = 0x1p-24 * 1.01 * (Math.log(vocab) + 1) + vocab * 0x1p-52 + 0x1p-30
                + 2 * (Math.ulp(row.logZ()) + Math.ulp(Math.log(row.sum())));
        double totalUpper = RowScores.FIXED_ONE * (1 + relative) + vocab + 0x1p-40 * RowScores.FIXED_ONE;
        if (!((double) RowScores.fixedMass(top) >= topP * totalUpper)) {
            return null; // rank 1 may be kept: not decided here
        }
        int id = 0;
        while (row.logProb(id) != top) {
            id++; // rank 0: the lowest id of the largest log-prob
        }
        return new ScoreVector(vocab, new int[] {id}, new double[] {top});
    }
}
