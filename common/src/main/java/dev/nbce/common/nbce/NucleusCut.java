package dev.nbce.common.nbce;

import java.util.Arrays;

/**
 * Where top-p cuts the order "score descending, id ascending": a token is kept iff it comes before
 * the cut, i.e. its log-prob is above {@code score}, or equal to it with an id up to {@code lastId}.
 * Tied tokens share a {@link LogProbBins bin}, so a cut between bins never splits ties.
 *
 * @param kept how many tokens come before the cut (-infinity ones included, which are never stored)
 */
record NucleusCut(double score, int lastId, int kept) {
    /** Nothing removed. */
    static NucleusCut none(int vocab) {
        return new NucleusCut(Double.NEGATIVE_INFINITY, Integer.MAX_VALUE, vocab);
    }

    /** Cut before the first token of {@code bin}: of(l) < bin ⇔ -64·l < bin (exact in double). */
    static NucleusCut beforeBin(int bin, int kept) {
        return new NucleusCut(-(double) bin / LogProbBins.PER_NAT, -1, kept);
    }

    /** Cut right after token {@code id}, of log-prob {@code logProb}. */
    static NucleusCut after(float logProb, int id, int kept) {
        return new NucleusCut(logProb, id, kept);
    }

    /** The kept tokens of a row, ids ascending; -infinity is never kept (it is stored by omission). */
    ScoreVector keptOf(float[] logProbs) {
        int[] ids = new int[kept];
        double[] values = new double[kept];
        int count = 0;
        for (int i = 0; i < logProbs.length && count < kept; i++) {
            // Written always, counted when kept: no branch to mispredict where kept tokens are scattered.
            float l = logProbs[i];
            ids[count] = i;
            values[count] = l;
            boolean keep = (l > score | (l == score & i <= lastId)) & l != Float.NEGATIVE_INFINITY;
            count += keep ? 1 : 0;
        }
        return count == kept ? new ScoreVector(logProbs.length, ids, values)
                : new ScoreVector(logProbs.length, Arrays.copyOf(ids, count), Arrays.copyOf(values, count));
    }
}
