package dev.nbce.common.nbce;

import java.util.Map;

/**
 * OpenAI's presence and frequency penalties on the final NBCE scores of a step:
 * {@code final[v] -= presence·[c(v) > 0] + frequency·c(v)}, c(v) = how often v was generated so far.
 * Tokens outside every nucleus stay -infinity: a penalty never brings a token back.
 */
public final class RepetitionPenalty {
    private RepetitionPenalty() {}

    public static ScoreVector apply(ScoreVector scores, Map<Integer, Integer> counts, double presence, double frequency) {
        if (counts.isEmpty() || (presence == 0 && frequency == 0)) {
            return scores;
        }
        double[] values = new double[scores.size()];
        int[] ids = scores.dense() ? null : new int[scores.size()];
        for (int i = 0; i < values.length; i++) {
            int id = scores.idAt(i);
            double v = scores.valueAtIndex(i);
            int c = counts.getOrDefault(id, 0);
            values[i] = c == 0 || v == Double.NEGATIVE_INFINITY ? v : v - presence - frequency * c;
            if (ids != null) {
                ids[i] = id;
            }
        }
        return new ScoreVector(scores.vocabSize(), ids, values);
    }
}
