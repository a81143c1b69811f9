package dev.nbce.common.nbce;

/**
 * {@link RowScores#applyTopP}'s exact rule (rank k kept iff k = 0 or the fixed-point mass ranked above
 * it, as a double, is below {@code topP · total}) without its second exp per token.
 *
 * <p>Each token's fixed-point mass is approximated from the log-softmax's own exponential:
 * e^l = e^(z - max) / sum · e^δ, δ being the float rounding of the log-prob l. Every decision is taken
 * only when a rigorous error bound (about 1e-11 of the total, against ~7e-6 for one token of a flat
 * 152k row) puts the partial mass on one side of the threshold; otherwise the caller falls back to
 * the exact code. The kept set, hence the row, is the exact one either way.
 */
final class BoundedTopP {
    /**
     * Relative error of one token's approximated mass, generously: Math.exp within 1 ulp, the roundings
     * of z - max and z - logZ (|arguments| < 2^7 for tokens with mass), the e^δ series (|δ| < 2^-18).
     */
    private static final double TOKEN_ERROR = 0x1p-40;
    /** Absolute slack for the roundings of the bound arithmetic itself, in fixed-point units. */
    private static final double SLACK = 0x1p-45 * RowScores.FIXED_ONE;

    private final SoftmaxRow row;
    private final double scale;
    private final double relativeError;
    private double thresholdLow;
    private double thresholdHigh;

    private BoundedTopP(SoftmaxRow row) {
        this.row = row;
        this.scale = RowScores.FIXED_ONE / row.sum();
        // + the shared error of logZ - max against log(sum), + double summation over at most vocab + bins terms
        this.relativeError = TOKEN_ERROR + 4 * (Math.ulp(row.logZ()) + Math.ulp(Math.log(row.sum())))
                + (row.logits().length + LogProbBins.COUNT) * 0x1p-52;
    }

    /**
     * Fills {@code logProbs} with the row's log-softmax and returns where top-p cuts it, or null when
     * some decision is too close to call.
     */
    static NucleusCut cut(SoftmaxRow row, double topP, float[] logProbs) {
        if (row.exps() == null || !(row.sum() >= 1) || !Double.isFinite(row.logZ()) || logProbs.length == 0) {
            for (int i = 0; i < logProbs.length; i++) {
                logProbs[i] = row.logProb(i);
            }
            return null;
        }
        return new BoundedTopP(row).cut(topP, logProbs);
    }

    private NucleusCut cut(double topP, float[] logProbs) {
        double[] binMass = new double[LogProbBins.COUNT];
        int[] binCount = new int[LogProbBins.COUNT];
        for (int i = 0; i < logProbs.length; i++) { // one pass: the log-prob, its bin and its mass
            float l = row.logProb(i);
            logProbs[i] = l;
            int bin = LogProbBins.of(l);
            binMass[bin] += mass(i, l);
            binCount[bin]++;
        }
        double total = 0;
        for (double m : binMass) {
            total += m;
        }
        double totalFixed = scale * total;
        double totalError = error(totalFixed, logProbs.length);
        if (!(totalFixed + totalError < 0x1p63)) {
            return null;
        }
        // needed = topP · (double) total is monotone in total: bound it by the bounds of total.
        thresholdLow = topP * (totalFixed - totalError);
        thresholdHigh = topP * (totalFixed + totalError);
        double above = 0;
        long tokensAbove = 0;
        boolean first = true;
        for (int bin = 0; bin < LogProbBins.COUNT; bin++) {
            if (binCount[bin] == 0) {
                continue;
            }
            long tokensAfter = tokensAbove + binCount[bin];
            if (upper(above + binMass[bin], tokensAfter) < thresholdLow) {
                // every token here has at most the bin's end above it: all kept
            } else if (!first && lower(above, tokensAbove) >= thresholdHigh) {
                return NucleusCut.beforeBin(bin, (int) tokensAbove);
            } else {
                int[] order = LogProbBins.inDescendingOrder(logProbs, bin, binCount[bin]);
                int kept = keptInBin(logProbs, order, above, tokensAbove, first);
                if (kept < 0) {
                    return null;
                }
                if (kept == 0) {
                    return NucleusCut.beforeBin(bin, (int) tokensAbove);
                }
                if (kept < order.length) {
                    return NucleusCut.after(logProbs[order[kept - 1]], order[kept - 1], (int) tokensAbove + kept);
                }
            }
            above += binMass[bin];
            tokensAbove = tokensAfter;
            first = false;
        }
        return NucleusCut.none(logProbs.length);
    }

    /** How many of a bin's sorted tokens the rule keeps; -1 when one is too close to call. */
    private int keptInBin(float[] logProbs, int[] order, double above, long tokensAbove, boolean first) {
        double massAbove = above;
        for (int k = 0; k < order.length; k++) {
            boolean rankZero = first && k == 0;
            if (!rankZero && !(upper(massAbove, tokensAbove + k) < thresholdLow)) {
                return lower(massAbove, tokensAbove + k) >= thresholdHigh ? k : -1;
            }
            massAbove += mass(order[k], logProbs[order[k]]);
        }
        return order.length;
    }

    /**
     * Token i's {@link RowScores#fixedMass} divided by {@link #scale}, approximately: e^(z - max) · e^δ,
     * with δ = l - (z - logZ) exact and e^δ to second order; 0 exactly where fixedMass is 0.
     */
    private double mass(int i, float l) {
        if (!(l > RowScores.NEGLIGIBLE_LOG_PROB)) {
            return 0;
        }
        double delta = l - (row.logits()[i] - row.logZ());
        return row.exps()[i] * (1 + delta * (1 + 0.5 * delta));
    }

    /** Bound on |exact fixed-point sum − scale · mass| for a sum of {@code tokens} approximated masses. */
    private double error(double fixed, long tokens) {
        return relativeError * fixed + tokens + SLACK;
    }

    private double upper(double mass, long tokens) {
        double fixed = scale * mass;
        return fixed + error(fixed, tokens);
    }

    private double lower(double mass, long tokens) {
        double fixed = scale * mass;
        return fixed - error(fixed, tokens);
    }
}
