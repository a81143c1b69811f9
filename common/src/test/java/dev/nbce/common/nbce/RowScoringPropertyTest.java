package dev.nbce.common.nbce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.common.step.NbceParams;
import dev.nbce.common.step.Pooling;
import dev.nbce.common.step.StepParams;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link RowScores#score} (nucleus decided from the softmax's own exponentials) against
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
        ScoredRow scored = RowScores.score(logits, topP);
        Scored actual = new Scored(dense(scored.scores()), scored.entropy(), scored.scores());
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
        int topTokenOnly = 0;
        for (int trial = 0; trial < 3000; trial++) {
            int vocab = trial % 3 == 0 ? 1 + random.nextInt(12) : 1 + random.nextInt(trial % 7 == 0 ? 20_000 : 600);
            double topP = TOP_PS[trial % TOP_PS.length];
            float[] logits = logits(random, vocab, trial / TOP_PS.length);
            assertSameScoring(logits, topP, "trial " + trial + ", vocab " + vocab + ", top_p " + topP);
            declined += topP < 1 && cut(logits, topP) == null ? 1 : 0;
            topTokenOnly += topP < 1 && TopTokenNucleus.of(SoftmaxRow.of(logits, new double[vocab]), topP) != null ? 1 : 0;
        }
        assertTrue(declined < 30, "the bounds decide nearly every row, declined " + declined); // ties on the threshold
        assertTrue(topTokenOnly > 300, "rows decided by the top token alone: " + topTokenOnly);
    }

    @Test
    void qwenSizedRowsMatchTheFullSort() {
        SplittableRandom random = new SplittableRandom(151_936);
        for (int trial = 0; trial < 12; trial++) {
            double topP = TOP_PS[trial % TOP_PS.length];
            float[] logits = logits(random, QWEN_VOCAB, trial);
            assertSameScoring(logits, topP, "trial " + trial + ", top_p " + topP);
            assertTrue(topP >= 1 || cut(logits, topP) != null, "decided by the bounds");
        }
    }

    @Test
    void aPartialMassExactlyOnTheThresholdIsLeftToTheExactCode() {
        // Flat row of 20: the mass above rank 10 is exactly half the total, so top_p 0.5 sits on it.
        float[] logits = new float[20];
        float[] logProbs = new float[logits.length];
        assertNull(BoundedTopP.cut(SoftmaxRow.of(logits, new double[20]), 0.5, logProbs));
        assertArrayEquals(RowScores.logSoftmax(logits), logProbs, "declining leaves the log-softmax for the exact code");
        assertSameScoring(logits, 0.5, "flat 20, top_p 0.5");
        assertEquals(10, RowScores.score(logits, 0.5).scores().size());
        assertNotNull(cut(logits, 0.42), "0.42 of 20 is 8.4 tokens, clear of the threshold");
    }

    @Test
    void shardReportsMatchTheDenseReductionUnderBothPoolings() {
        SplittableRandom random = new SplittableRandom(64);
        for (int trial = 0; trial < 120; trial++) {
            int vocab = 1 + random.nextInt(trial % 10 == 0 ? 30_000 : 500);
            int n = 1 + random.nextInt(9);
            int[] rows = new int[n];
            float[][] logits = new float[n][];
            for (int i = 0; i < n; i++) {
                rows[i] = i + (trial % 3 == 0 ? 1 : 0); // row 0 held here or elsewhere
                logits[i] = logits(random, vocab, random.nextInt(6));
            }
            Pooling pooling = trial % 2 == 0 ? Pooling.MIN_ENTROPY : Pooling.AVERAGE;
            StepParams params = new StepParams(TOP_PS[trial % TOP_PS.length], new NbceParams(0.25, 0.1, pooling));
            int previous = random.nextInt(n + 1) - 1;
            assertEquals(NaiveNbce.reduce(rows, logits, params, previous), ShardReducer.reduce(rows, logits, params, previous),
                    "trial " + trial);
        }
    }

    @Test
    void aTopTokenThatHoldsTopPIsDecidedWithoutAPassOverTheVocabulary() {
        float[] confident = new float[QWEN_VOCAB];
        confident[QWEN_VOCAB - 7] = 20f; // e^20 against 151,935·e^0: p ≈ 0.9997
        confident[QWEN_VOCAB - 3] = 20f; // tied at the top: the lower id is rank 0
        SoftmaxRow row = SoftmaxRow.of(confident, new double[QWEN_VOCAB]);
        assertNull(TopTokenNucleus.of(row, 0.95), "two tokens of ~0.5 each: rank 1 is kept");
        confident[QWEN_VOCAB - 3] = 19.9f;
        ScoreVector one = TopTokenNucleus.of(SoftmaxRow.of(confident, new double[QWEN_VOCAB]), 0.4);
        assertNotNull(one);
        assertArrayEquals(new int[] {QWEN_VOCAB - 7}, one.ids());
        assertSameScoring(confident, 0.4, "confident row, top_p 0.4");
        assertNull(TopTokenNucleus.of(SoftmaxRow.of(new float[1000], new double[1000]), 0.1), "flat row");
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

    private static NucleusCut cut(float[] logits, double topP) {
        return BoundedTopP.cut(SoftmaxRow.of(logits, new double[logits.length]), topP, new float[logits.length]);
    }

    /** The vector as a row again: -infinity where a sparse vector stores nothing. */
    private static float[] dense(ScoreVector vector) {
        float[] row = new float[vector.vocabSize()];
        java.util.Arrays.fill(row, Float.NEGATIVE_INFINITY);
        for (int k = 0; k < vector.size(); k++) {
            row[vector.idAt(k)] = (float) vector.valueAtIndex(k);
        }
        return row;
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
