package dev.nbce.common.nbce;

import java.util.Arrays;

/**
 * A chosen token's log-probability under the final NBCE distribution of its step — softmax of the final
 * scores (after penalties, before temperature) — and the most probable alternatives, best first (ties:
 * lowest id first). Exactly as many alternatives as asked (at most the vocabulary), as OpenAI gives: where
 * fewer tokens have a score (every other token was outside every row's nucleus, or refused by a constraint),
 * the rest are the lowest ids without one, at -infinity (the APIs write -9999.0, as vLLM does).
 */
public record TokenLogprob(int tokenId, double logprob, int[] topIds, double[] topLogprobs) {
    public TokenLogprob {
        if (topIds.length != topLogprobs.length) {
            throw new IllegalArgumentException("one log-probability per alternative");
        }
    }

    /** @param top how many alternatives, 0 for none */
    public static TokenLogprob of(ScoreVector scores, int tokenId, int top) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < scores.size(); i++) {
            max = Math.max(max, scores.valueAtIndex(i));
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return new TokenLogprob(tokenId, Double.NEGATIVE_INFINITY, new int[0], new double[0]);
        }
        double sum = 0;
        for (int i = 0; i < scores.size(); i++) {
            sum += Math.exp(scores.valueAtIndex(i) - max);
        }
        double logZ = max + Math.log(sum);
        int finite = countFinite(scores);
        int k = Math.min(top, finite);
        // Only a request for alternatives pays for the sort (a dense vector holds the whole vocabulary).
        Integer[] order = new Integer[k == 0 ? 0 : scores.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> {
            int byValue = Double.compare(scores.valueAtIndex(b), scores.valueAtIndex(a));
            return byValue != 0 ? byValue : Integer.compare(scores.idAt(a), scores.idAt(b));
        });
        int[] ids = new int[k];
        double[] logprobs = new double[k];
        for (int i = 0; i < k; i++) {
            ids[i] = scores.idAt(order[i]);
            logprobs[i] = scores.valueAtIndex(order[i]) - logZ;
        }
        return new TokenLogprob(tokenId, scores.valueAt(tokenId) - logZ, withUnscored(ids, top, scores),
                withUnscored(logprobs, Math.min(top, scores.vocabSize())));
    }

    /** {@code ids}, then the lowest ids without a finite score, up to {@code top} in all (at most the vocabulary). */
    private static int[] withUnscored(int[] ids, int top, ScoreVector scores) {
        int n = Math.min(top, scores.vocabSize());
        if (ids.length >= n) {
            return ids;
        }
        int[] out = Arrays.copyOf(ids, n);
        int k = ids.length;
        for (int id = 0; k < n; id++) {
            if (scores.valueAt(id) == Double.NEGATIVE_INFINITY) {
                out[k++] = id;
            }
        }
        return out;
    }

    private static double[] withUnscored(double[] logprobs, int n) {
        if (logprobs.length >= n) {
            return logprobs;
        }
        double[] out = Arrays.copyOf(logprobs, n);
        Arrays.fill(out, logprobs.length, n, Double.NEGATIVE_INFINITY);
        return out;
    }

    private static int countFinite(ScoreVector scores) {
        int n = 0;
        for (int i = 0; i < scores.size(); i++) {
            if (scores.valueAtIndex(i) != Double.NEGATIVE_INFINITY) {
                n++;
            }
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenLogprob t && t.tokenId == tokenId && Double.compare(t.logprob, logprob) == 0
                && Arrays.equals(t.topIds, topIds) && Arrays.equals(t.topLogprobs, topLogprobs);
    }

    @Override
    public int hashCode() {
        return 31 * Integer.hashCode(tokenId) + Arrays.hashCode(topIds);
    }

    @Override
    public String toString() {
        return "TokenLogprob[" + tokenId + "=" + logprob + ", top=" + Arrays.toString(topIds) + "]";
    }
}
