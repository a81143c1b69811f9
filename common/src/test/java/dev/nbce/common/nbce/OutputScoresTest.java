package dev.nbce.common.nbce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Penalties and log-probabilities on the final NBCE scores (sparse after top-p). */
class OutputScoresTest {
    private static final ScoreVector SCORES = new ScoreVector(10, new int[] {1, 4, 7}, new double[] {2.0, 1.0, 0.5});

    @Test
    void penaltiesSubtractPresenceOnceAndFrequencyPerOccurrence() {
        ScoreVector penalised = RepetitionPenalty.apply(SCORES, Map.of(1, 3, 7, 1, 9, 2), 0.5, 0.25);
        assertEquals(2.0 - 0.5 - 0.75, penalised.valueAt(1), 1e-12);
        assertEquals(1.0, penalised.valueAt(4), 1e-12);
        assertEquals(0.5 - 0.5 - 0.25, penalised.valueAt(7), 1e-12);
        assertEquals(Double.NEGATIVE_INFINITY, penalised.valueAt(9), "a token outside every nucleus stays out");
        assertEquals(SCORES, RepetitionPenalty.apply(SCORES, Map.of(1, 3), 0, 0));
    }

    @Test
    void aPenaltyCanChangeTheGreedyChoice() {
        assertEquals(1, TokenSampler.greedy(SCORES));
        assertEquals(4, TokenSampler.greedy(RepetitionPenalty.apply(SCORES, Map.of(1, 1), 1.5, 0)));
    }

    @Test
    void logprobsAreTheSoftmaxOfTheFinalScoresWithTheBestAlternatives() {
        double z = Math.log(Math.exp(2.0) + Math.exp(1.0) + Math.exp(0.5));
        TokenLogprob lp = TokenLogprob.of(SCORES, 4, 2);
        assertEquals(1.0 - z, lp.logprob(), 1e-12);
        assertArrayEquals(new int[] {1, 4}, lp.topIds());
        assertArrayEquals(new double[] {2.0 - z, 1.0 - z}, lp.topLogprobs(), 1e-12);
        TokenLogprob all = TokenLogprob.of(SCORES, 1, 20);
        assertArrayEquals(new int[] {1, 4, 7, 0, 2, 3, 5, 6, 8, 9}, all.topIds(),
                "as many alternatives as asked, at most the vocabulary: the scored ones, then the lowest unscored ids");
        assertEquals(Double.NEGATIVE_INFINITY, all.topLogprobs()[3]);
        assertEquals(Double.NEGATIVE_INFINITY, all.topLogprobs()[9]);
        assertEquals(5, TokenLogprob.of(SCORES, 1, 5).topIds().length, "exactly N where the vocabulary allows");
        assertEquals(0.5 - z, TokenLogprob.of(SCORES, 1, 5).topLogprobs()[2], 1e-12);
        assertEquals(Double.NEGATIVE_INFINITY, TokenLogprob.of(SCORES, 9, 0).logprob());
    }
}
