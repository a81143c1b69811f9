package dev.nbce.common.nbce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link RowScores#truncatedLogSoftmax} (nucleus decided from the softmax's own exponentials) against
 * the full-sort oracle {@link NaiveNbce#topPFullSort} over a log-softmax, bit for bit: kept ids, their
 * values, the entropy and the sparse vector, on seeded rows with heavy ties and -infinity entries.
 */
class RowScoringPropertyTest {
    private static final double[] TOP_PS = {0.1, 0.5, 0.9, 0.95, 0.99, 1.0};
    private static final int QWEN_VOCAB = 151_936;

    /** What a row's scoring hands on: the truncated row, its entropy and its sparse vector. */
    private record Scored(float[] truncated, double entropy, ScoreVector vector) {
        static Scored of(float[] truncated, double topP) {
            return new Scored(truncated, RowScores.entropy(truncated), ScoreVector.ofTruncated(truncated, topP >= 1));
        }
    }

    private static void assertSameScoring(float[] logits, double topP, String what) {
        Scored expected = Scored.of(NaiveNbce.topPFullSort(RowScores.logSoftmax(logits), topP), topP);
        Scored actual = Scored.of(RowScores.truncatedLogSoftmax(logits, topP), topP);
        assertArrayEquals(bits(expected.truncated()), bits(actual.truncated()), what + ": row");
        assertArrayEquals(keptIds(expected.truncated()), keptIds(actual.truncated()), what + ": kept ids");
        assertEquals(Double.doubleToRawLongBits(expected.entropy()), Double.doubleToRawLongBits(actual.entropy()),
                what + ": entropy");
        assertArrayEquals(expected.vector().ids(), actual.vector().ids(), what + ": sparse ids");
        assertArrayEquals(bits(expected.vector().values()), bits(actual.vector().values()), what + ": sparse values");
    }

    @Test
    void tinyAndMediumVocabulariesMatchTheFullSort() {
        SplittableRandom random = new SplittableRandom(2026_12_07);
        int declined = 0;
        for (int trial = 0; trial < 3000; trial++) {
            int vocab = trial % 3 == 0 ? 1 + random.nextInt(12) : 1 + random.nextInt(trial % 7 == 0 ? 20_000 : 600);
            double topP = TOP_PS[trial % TOP_PS.length];
            float[] logits = logits(random, vocab, trial / TOP_PS.length);
            assertSameScoring(logits, topP, "trial " + trial + ", vocab " + vocab + ", top_p " + topP);
            declined += topP < 1 && !BoundedTopP.apply(SoftmaxRow.of(logits, true), topP) ? 1 : 0;
        }
        assertTrue(declined < 30, "the bounds decide nearly every row, declined " + declined); // ties on the threshold
    }

    @Test
    void qwenSizedRowsMatchTheFullSort() {
        SplittableRandom random = new SplittableRandom(151_936);
        for (int trial = 0; trial < 12; trial++) {
            double topP = TOP_PS[trial % TOP_PS.length];
            float[] logits = logits(random, QWEN_VOCAB, trial);
            assertSameScoring(logits, topP, "trial " + trial + ", top_p " + topP);
            assertTrue(topP >= 1 || BoundedTopP.apply(SoftmaxRow.of(logits, true), topP), "decided by the bounds");
        }
    }

    @Test
    void aPartialMassExactlyOnTheThresholdIsLeftToTheExactCode() {
        // Flat row of 20: the mass above rank 10 is exactly half the total, so top_p 0.5 sits on it.
        float[] logits = new float[20];
        SoftmaxRow row = SoftmaxRow.of(logits, true);
        float[] before = row.logProbs().clone();
        assertFalse(BoundedTopP.apply(row, 0.5));
        assertArrayEquals(before, row.logProbs(), "declining leaves the row untouched");
        assertSameScoring(logits, 0.5, "flat 20, top_p 0.5");
        assertEquals(10, keptIds(RowScores.truncatedLogSoftmax(logits, 0.5)).length);
        assertTrue(BoundedTopP.apply(SoftmaxRow.of(logits, true), 0.42), "0.42 of 20 is 8.4 tokens, clear of the threshold");
    }

    /**
     * Seeded rows of six kinds: few levels (heavy ties anywhere, the boundary included), few levels
     * with -infinity, normal at three scales, one dominant token over ties.
     */
    private static float[] logits(SplittableRandom random, int vocab, int kind) {
        float[] z = new float[vocab];
        int levels = 1 + random.nextInt(5);
        for (int i = 0; i < vocab; i++) {
            z[i] = switch (kind % 6) {
                case 0 -> random.nextInt(levels) * 0.75f;
                case 1 -> random.nextInt(4) == 0 ? Float.NEGATIVE_INFINITY : random.nextInt(levels) * 1.5f;
                case 2 -> (float) random.nextGaussian();
                case 3 -> (float) (random.nextGaussian() * 3);
                case 4 -> (float) (random.nextGaussian() * 8);
                default -> random.nextInt(levels);
            };
        }
        z[random.nextInt(vocab)] = kind % 6 == 5 ? 9f : Math.max(0f, z[0]); // at least one finite entry
        return z;
    }

    private static int[] keptIds(float[] truncated) {
        return java.util.stream.IntStream.range(0, truncated.length)
                .filter(i -> truncated[i] != Float.NEGATIVE_INFINITY).toArray();
    }

    private static int[] bits(float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Float.floatToRawIntBits(values[i]);
        }
        return out;
    }

    private static long[] bits(double[] values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Double.doubleToRawLongBits(values[i]);
        }
        return out;
    }
}
