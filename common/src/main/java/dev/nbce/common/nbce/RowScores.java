package dev.nbce.common.nbce;

/**
 * Per-row steps 1–3 of the NBCE step (docs/design.md): log-softmax, Hugging Face top-p, and the entropy of the
 * truncated (not renormalised) row. Rows are [vocab] float arrays; log-softmax and entropy sum in
 * double, top-p masses in exact fixed point.
 */
public final class RowScores {
    static final double FIXED_ONE = 0x1p62;
    static final float NEGLIGIBLE_LOG_PROB = -44f;
    /** Per thread: one row's exponentials, [vocab] doubles, reused rather than allocated per row and step. */
    private static final ThreadLocal<double[]> EXPS = ThreadLocal.withInitial(() -> new double[0]);

    private RowScores() {}

    /** log_softmax of one row of logits: [vocab] -> [vocab]. */
    public static float[] logSoftmax(float[] logits) {
        return SoftmaxRow.of(logits, null).logProbs();
    }

    /**
     * Steps 1–3 for one row of logits: exactly {@code applyTopP(logSoftmax(logits), topP)} as a score
     * vector (sparse unless top-p is off) and its {@link #entropy}, bit for bit, but with the nucleus
     * decided from the log-softmax's own exponentials instead of a second exp per token: at once when
     * the top token alone holds top_p ({@link TopTokenNucleus}), else by {@link BoundedTopP}, read off
     * without writing -infinity over the vocabulary.
     */
    public static ScoredRow score(float[] logits, double topP) {
        checkTopP(topP);
        if (topP >= 1) {
            float[] logProbs = logSoftmax(logits);
            return new ScoredRow(ScoreVector.ofTruncated(logProbs, true), entropy(logProbs));
        }
        SoftmaxRow row = SoftmaxRow.of(logits, exps(logits.length));
        ScoreVector topToken = TopTokenNucleus.of(row, topP);
        if (topToken != null) {
            return new ScoredRow(topToken, entropy(topToken));
        }
        float[] logProbs = new float[logits.length];
        NucleusCut cut = BoundedTopP.cut(row, topP, logProbs);
        if (cut == null) { // a partial mass too close to the threshold: decide exactly
            applyTopP(logProbs, topP);
            return new ScoredRow(ScoreVector.ofTruncated(logProbs, false), entropy(logProbs));
        }
        ScoreVector kept = cut.keptOf(logProbs);
        return new ScoredRow(kept, entropy(kept));
    }

    /** {@link #entropy(float[])} of the row a sparse vector stands for, summed in the same (id) order. */
    private static double entropy(ScoreVector kept) {
        double h = 0;
        for (int k = 0; k < kept.size(); k++) {
            h -= entropyTerm(kept.valueAtIndex(k));
        }
        return h;
    }

    /**
     * Hugging Face {@code TopPLogitsWarper}, in place: tokens sorted by ascending probability,
     * softmax of the sorted scores, cumulative sum; every token whose cumulative value is
     * {@code <= 1 - topP} becomes -infinity, except that the most probable token is always kept.
     * {@code topP >= 1} leaves the row as it is.
     *
     * <p>Exact rule implemented (the ascending cumulative value of a token is 1 minus the normalised
     * mass ranked above it): rank tokens by descending score, ties by ascending id; the token at
     * rank k is kept iff k = 0 or {@code above_k < topP · total}, where masses are exact sums of
     * {@link #fixedMass fixed-point} probabilities, so they do not depend on the order of addition.
     * Torch leaves the order of tied scores unspecified (its sort is not stable); ascending ids match
     * greedy's "lowest id wins".
     *
     * <p>Cost: one exp pass that bins the tokens by log-prob ({@link LogProbBins}, 64 bins per nat),
     * then a sort of only the bin where the nucleus ends; tokens of higher bins are kept and those
     * of lower bins removed without being sorted.
     *
     * @param logProbs a log-softmax output (every value <= 0, probabilities summing to about 1)
     */
    public static void applyTopP(float[] logProbs, double topP) {
        checkTopP(topP);
        if (topP >= 1 || logProbs.length == 0) {
            return;
        }
        long[] binMass = new long[LogProbBins.COUNT];
        int[] binCount = new int[LogProbBins.COUNT];
        long total = 0;
        for (float l : logProbs) {
            int bin = LogProbBins.of(l);
            long p = fixedMass(l);
            binMass[bin] += p;
            binCount[bin]++;
            total = addMass(total, p);
        }
        double needed = topP * total;
        // The nucleus ends in the first bin (from the top) whose inclusion reaches the needed mass.
        long above = 0;
        int boundary = 0;
        while (boundary < LogProbBins.COUNT - 1 && !(binCount[boundary] > 0 && above + binMass[boundary] >= needed)) {
            above += binMass[boundary];
            boundary++;
        }
        int[] order = LogProbBins.inDescendingOrder(logProbs, boundary, binCount[boundary]);
        int kept = 0;
        long massAbove = above; // (double) above < needed, so the bin's first token always stays
        while (kept < order.length && (massAbove < needed || kept == 0)) {
            massAbove += fixedMass(logProbs[order[kept]]);
            kept++;
        }
        for (int i = kept; i < order.length; i++) {
            logProbs[order[i]] = Float.NEGATIVE_INFINITY;
        }
        for (int v = 0; v < logProbs.length; v++) {
            if (LogProbBins.of(logProbs[v]) > boundary) {
                logProbs[v] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    private static double[] exps(int vocab) {
        double[] exps = EXPS.get();
        if (exps.length < vocab) {
            exps = new double[vocab];
            EXPS.set(exps);
        }
        return exps;
    }

    private static void checkTopP(double topP) {
        if (!(topP > 0)) {
            throw new IllegalArgumentException("top_p must be > 0, got " + topP);
        }
    }

    private static long addMass(long total, long p) {
        try {
            return Math.addExact(total, p);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("top-p expects log-probabilities (a log_softmax output)");
        }
    }

    /**
     * exp(l) in fixed point with 62 fractional bits: exact integer sums, so any set of tokens has
     * one mass whatever the order of addition (resolution 2^-62, far below float32 rounding).
     */
    static long fixedMass(float logProb) {
        if (!(logProb > NEGLIGIBLE_LOG_PROB)) {
            return 0; // exp(-44)·2^62 < 0.5 rounds to 0 anyway: skip the exp (also -infinity, NaN)
        }
        return Math.round(Math.exp(Math.min(logProb, 0f)) * FIXED_ONE);
    }

    /** H = -Σ exp(l)·clip(l, -100, 0) over the truncated row; removed tokens (exp(-inf) = 0) add nothing. */
    public static double entropy(float[] truncatedLogProbs) {
        double h = 0;
        for (float l : truncatedLogProbs) {
            if (l != Float.NEGATIVE_INFINITY) {
                h -= entropyTerm(l);
            }
        }
        return h;
    }

    /** exp(l)·clip(l, -100, 0); a float widens exactly, so float and double callers get the same bits. */
    private static double entropyTerm(double l) {
        return Math.exp(l) * Math.max(-100.0, Math.min(0.0, l));
    }
}
