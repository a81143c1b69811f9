package dev.nbce.common.nbce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.common.nbce.NbceCombiner.Combination;
import dev.nbce.common.step.NbceParams;
import dev.nbce.common.step.Pooling;
import dev.nbce.common.step.StepParams;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Steps 4–6 through ShardReducer + NbceCombiner, on hand-made rows and against {@link NaiveNbce}. */
class NbceCombinerTest {
    private static final double NEG_INF = Double.NEGATIVE_INFINITY;

    /** Logits whose softmax is exactly the given probabilities (up to float rounding). */
    private static float[] row(double... probabilities) {
        float[] out = new float[probabilities.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = probabilities[i] == 0 ? Float.NEGATIVE_INFINITY : (float) Math.log(probabilities[i]);
        }
        return out;
    }

    private static int[] rowsUpTo(int n) {
        int[] rows = new int[n + 1];
        for (int r = 0; r <= n; r++) {
            rows[r] = r;
        }
        return rows;
    }

    /** Everything on one shard. */
    private static Combination oneShard(float[][] logits, double topP, NbceParams params, int previous) {
        ShardReport report = reduce(rowsUpTo(logits.length - 1), logits,
                new StepContext(topP, params.eta(), params.pooling(), previous));
        return NbceCombiner.combine(List.of(report), params);
    }

    private static double[] dense(ScoreVector v) {
        double[] out = new double[v.vocabSize()];
        for (int id = 0; id < out.length; id++) {
            out[id] = v.valueAt(id);
        }
        return out;
    }

    @Test
    void stickinessLowersOnlyThePreviousRowAndOnlyAfterTheFirstStep() {
        // Row 2 is a little flatter than row 1: less than η = 0.1 apart.
        float[][] logits = {row(0.25, 0.25, 0.25, 0.25), row(0.6, 0.3, 0.1, 0.0), row(0.58, 0.31, 0.11, 0.0),
                row(0.4, 0.3, 0.2, 0.1)};
        NbceParams params = new NbceParams(0.25, 0.1, Pooling.MIN_ENTROPY);
        int[] rows = rowsUpTo(3);
        ShardReport first = reduce(rows, logits, new StepContext(1.0, 0.1, Pooling.MIN_ENTROPY, -1));
        ShardReport later = reduce(rows, logits, new StepContext(1.0, 0.1, Pooling.MIN_ENTROPY, 2));
        double gap = first.entropies()[2] - first.entropies()[1];
        assertTrue(gap > 0 && gap < 0.1, "fixture: rows 1 and 2 within η, got " + gap);
        for (int r : new int[] {0, 1, 3}) {
            assertEquals(first.entropies()[r], later.entropies()[r], "row " + r + " must not get the bonus");
        }
        assertEquals(first.entropies()[2] - 0.1, later.entropies()[2], 1e-15);
        assertEquals(1, NbceCombiner.combine(List.of(first), params).chosenRow());
        assertEquals(2, NbceCombiner.combine(List.of(later), params).chosenRow());
        assertEquals(1, oneShard(logits, 1.0, params, 1).chosenRow());
        assertEquals(1, oneShard(logits, 1.0, params, 3).chosenRow());
        assertEquals(1, oneShard(logits, 1.0, new NbceParams(0.25, 0.0, Pooling.MIN_ENTROPY), 2).chosenRow());
    }

    @Test
    void minEntropyPoolsTheChosenRowAndAverageTheMeanOfContextRows() {
        float[][] logits = {row(0.5, 0.3, 0.2), row(0.7, 0.2, 0.1), row(0.1, 0.1, 0.8)};
        NbceParams min = new NbceParams(0.0, 0.0, Pooling.MIN_ENTROPY);
        NbceParams avg = new NbceParams(0.0, 0.0, Pooling.AVERAGE);
        Combination byEntropy = oneShard(logits, 1.0, min, -1);
        Combination byMean = oneShard(logits, 1.0, avg, -1);
        assertEquals(2, byEntropy.chosenRow()); // H(.1,.1,.8) < H(.7,.2,.1)
        assertEquals(2, byMean.chosenRow(), "average still reports the lowest-entropy row");
        float[] l1 = RowScores.logSoftmax(logits[1]);
        float[] l2 = RowScores.logSoftmax(logits[2]);
        for (int v = 0; v < 3; v++) {
            assertEquals((double) l2[v], byEntropy.finalScores().valueAt(v));
            assertEquals(((double) l1[v] + l2[v]) / 2, byMean.finalScores().valueAt(v), 1e-15);
        }
    }

    @Test
    void averageIsMinusInfinityWhereAnyContextRowIsTruncated() {
        // top_p 0.5 keeps token 0 of row 1 and token 1 of row 2 only, token 0 and 1 of row 3.
        float[][] logits = {row(0.4, 0.35, 0.25), row(0.9, 0.06, 0.04), row(0.05, 0.9, 0.05), row(0.45, 0.44, 0.11)};
        Combination c = oneShard(logits, 0.5, new NbceParams(0.25, 0.1, Pooling.AVERAGE), -1);
        for (int v = 0; v < 3; v++) {
            assertEquals(NEG_INF, c.finalScores().valueAt(v), "token " + v);
        }
        assertEquals(0, c.finalScores().size());
        assertEquals(0, TokenSampler.greedy(c.finalScores()), "all -inf: torch.argmax gives id 0");
    }

    @Test
    void betaZeroLeavesThePooledScores() {
        float[][] logits = {row(0.1, 0.2, 0.7), row(0.5, 0.25, 0.25), row(0.6, 0.3, 0.1)};
        Combination c = oneShard(logits, 1.0, new NbceParams(0.0, 0.1, Pooling.MIN_ENTROPY), -1);
        float[] pooled = RowScores.logSoftmax(logits[c.chosenRow()]);
        for (int v = 0; v < 3; v++) {
            assertEquals((double) pooled[v], c.finalScores().valueAt(v));
        }
    }

    @Test
    void betaCorrectionAppliesOnlyWhereRowZeroIsAboveMinus100() {
        float[][] logits = {{0f, 0f, -300f}, {0f, 1f, 2f}};
        double beta = 0.5;
        Combination c = oneShard(logits, 1.0, new NbceParams(beta, 0.1, Pooling.MIN_ENTROPY), -1);
        float[] l0 = RowScores.logSoftmax(logits[0]);
        float[] l1 = RowScores.logSoftmax(logits[1]);
        assertTrue(l0[2] < -100 && l0[0] > -100);
        assertEquals((1 + beta) * l1[0] - beta * l0[0], c.finalScores().valueAt(0));
        assertEquals((1 + beta) * l1[1] - beta * l0[1], c.finalScores().valueAt(1));
        assertEquals((double) l1[2], c.finalScores().valueAt(2), "row 0 at -inf/-300 must not push the score");
    }

    @Test
    void rowZeroTruncatedByTopPCountsAsMasked() {
        // Row 0 keeps only token 0 under top_p 0.5; the pooled row keeps tokens 0 and 1.
        float[][] logits = {row(0.8, 0.15, 0.05), row(0.45, 0.44, 0.11)};
        Combination c = oneShard(logits, 0.5, new NbceParams(0.25, 0.1, Pooling.MIN_ENTROPY), -1);
        float[] l0 = RowScores.logSoftmax(logits[0]);
        float[] l1 = RowScores.logSoftmax(logits[1]);
        assertEquals(1.25 * l1[0] - 0.25 * l0[0], c.finalScores().valueAt(0));
        assertEquals((double) l1[1], c.finalScores().valueAt(1));
        assertEquals(NEG_INF, c.finalScores().valueAt(2));
    }

    @Test
    void withoutContextRowsItIsAPlainGeneratorOnRowZero() {
        float[][] logits = {row(0.1, 0.6, 0.3)};
        Combination c = oneShard(logits, 0.95, NbceParams.DEFAULT, -1);
        assertEquals(0, c.chosenRow());
        float[] expected = RowScores.logSoftmax(logits[0]);
        RowScores.applyTopP(expected, 0.95);
        assertEquals(ScoreVector.ofTruncated(expected, false), c.finalScores());
        assertEquals(1, TokenSampler.greedy(c.finalScores()));
    }

    @Test
    void entropyTiesGoToTheLowestRowWhateverTheShardOrder() {
        float[] same = row(0.5, 0.3, 0.2);
        float[][] logits = {row(0.3, 0.3, 0.4), same, same.clone(), same.clone()};
        StepContext ctx = new StepContext(0.95, 0.1, Pooling.MIN_ENTROPY, -1);
        ShardReport high = reduce(new int[] {3, 2}, new float[][] {logits[3], logits[2]}, ctx);
        ShardReport low = reduce(new int[] {1, 0}, new float[][] {logits[1], logits[0]}, ctx);
        assertEquals(2, high.bestRow());
        ShardReport ascending = reduce(new int[] {2, 3}, new float[][] {logits[2], logits[3]}, ctx);
        assertEquals(2, ascending.bestRow(), "local ties also go to the lowest row");
        assertEquals(1, NbceCombiner.combine(List.of(high, low), NbceParams.DEFAULT).chosenRow());
        assertEquals(1, NbceCombiner.combine(List.of(low, high), NbceParams.DEFAULT).chosenRow());
    }

    @Test
    void reducerSendsOnlyWhatThePoolingNeeds() {
        float[][] logits = {row(0.3, 0.3, 0.4), row(0.5, 0.3, 0.2), row(0.1, 0.1, 0.8)};
        ShardReport min = reduce(new int[] {1, 2}, new float[][] {logits[1], logits[2]},
                new StepContext(0.9, 0.1, Pooling.MIN_ENTROPY, -1));
        assertEquals(2, min.bestRow());
        assertTrue(min.best() != null && !min.best().dense());
        assertNull(min.sum());
        assertNull(min.row0());
        ShardReport avg = reduce(new int[] {0, 1, 2}, logits, new StepContext(1.0, 0.1, Pooling.AVERAGE, -1));
        assertNull(avg.best());
        assertEquals(2, avg.sumCount());
        assertTrue(avg.sum().dense() && avg.row0().dense(), "top_p 1 sends dense vectors");
        ShardReport onlyRowZero = reduce(new int[] {0}, new float[][] {logits[0]},
                new StepContext(0.9, 0.1, Pooling.AVERAGE, -1));
        assertEquals(-1, onlyRowZero.bestRow());
        assertNull(onlyRowZero.sum());
    }

    @Test
    void combinerRejectsInconsistentReports() {
        float[][] logits = {row(0.3, 0.3, 0.4), row(0.5, 0.3, 0.2)};
        StepContext ctx = new StepContext(0.9, 0.1, Pooling.MIN_ENTROPY, -1);
        ShardReport contextOnly = reduce(new int[] {1}, new float[][] {logits[1]}, ctx);
        assertThrows(IllegalArgumentException.class, () -> NbceCombiner.combine(List.of(contextOnly), NbceParams.DEFAULT));
        ShardReport rowZero = reduce(new int[] {0}, new float[][] {logits[0]}, ctx);
        ShardReport noVector = new ShardReport(new int[] {1}, contextOnly.entropies(), -1, null, null, null, 0);
        assertThrows(IllegalArgumentException.class,
                () -> NbceCombiner.combine(List.of(rowZero, noVector), NbceParams.DEFAULT));
        assertThrows(IllegalArgumentException.class,
                () -> NbceCombiner.combine(List.of(rowZero, rowZero, contextOnly), NbceParams.DEFAULT));
    }

    @Test
    void anySplitOfRowsOverShardsGivesTheSameStepAsTheDenseFormula() {
        SplittableRandom random = new SplittableRandom(42);
        int cases = 0;
        for (int trial = 0; trial < 120; trial++) {
            int n = trial % 9; // 0..8 context rows
            int vocab = 20 + random.nextInt(600);
            float[][] logits = randomRows(random, n + 1, vocab);
            double topP = new double[] {0.9, 0.95, 1.0, 0.5}[trial % 4];
            Pooling pooling = trial % 3 == 0 ? Pooling.AVERAGE : Pooling.MIN_ENTROPY;
            NbceParams params = new NbceParams(trial % 5 == 0 ? 0.0 : 0.25 + random.nextDouble(), 0.1, pooling);
            int previous = n == 0 || trial % 4 == 0 ? -1 : 1 + random.nextInt(n);

            NaiveNbce.Step expected = NaiveNbce.step(logits, topP, params.beta(), params.eta(), pooling, previous);
            for (int shards = 1; shards <= n + 1; shards++) {
                Combination c = NbceCombiner.combine(split(logits, shards, topP, params, previous, random), params);
                assertEquals(expected.chosenRow(), c.chosenRow(), "trial " + trial + ", " + shards + " shards");
                assertArrayEquals(expected.finalScores(), dense(c.finalScores()), "trial " + trial + ", " + shards + " shards");
                cases++;
            }
        }
        assertTrue(cases > 500, "cases " + cases);
    }

    @Test
    void greedyGenerationIsIdenticalForEveryPlacement() {
        // A toy "model": each row's next logits depend on the row, the step and the last token.
        SplittableRandom placement = new SplittableRandom(5);
        for (Pooling pooling : Pooling.values()) {
            NbceParams params = new NbceParams(0.25, 0.1, pooling);
            List<Integer> reference = null;
            for (int shards = 1; shards <= 5; shards++) {
                List<Integer> trace = new ArrayList<>();
                int previous = -1;
                int token = 0;
                for (int step = 0; step < 12; step++) {
                    float[][] logits = toyModel(4, 300, step, token);
                    Combination c = NbceCombiner.combine(split(logits, shards, 0.95, params, previous, placement), params);
                    token = TokenSampler.greedy(c.finalScores());
                    previous = c.chosenRow();
                    trace.add(token);
                    trace.add(previous);
                }
                if (reference == null) {
                    reference = trace;
                } else {
                    assertEquals(reference, trace, pooling + " with " + shards + " shards");
                }
            }
        }
    }

    @Test
    void zeroToNineRowsOverOneToFourShardsMatchTheDenseFormula() {
        SplittableRandom random = new SplittableRandom(2026);
        int cases = 0;
        for (int n = 0; n <= 9; n++) {
            for (Pooling pooling : Pooling.values()) {
                for (double topP : new double[] {0.9, 1.0}) {
                    for (int variant = 0; variant < 3; variant++) {
                        int vocab = 5 + random.nextInt(400);
                        float[][] logits = randomRows(random, n + 1, vocab);
                        double beta = variant == 0 ? 0.0 : random.nextDouble(0.05, 2.0);
                        int previous = variant == 2 && n > 0 ? 1 + random.nextInt(n) : -1;
                        NbceParams params = new NbceParams(beta, 0.1 + random.nextDouble(), pooling);
                        NaiveNbce.Step expected = NaiveNbce.step(logits, topP, beta, params.eta(), pooling, previous);
                        int expectedToken = argmax(expected.finalScores());
                        for (int shards = 1; shards <= 4; shards++) {
                            String what = "n=" + n + " " + pooling + " top_p=" + topP + " beta=" + beta + " previous="
                                    + previous + " shards=" + shards;
                            Combination c = NbceCombiner.combine(placed(logits, shards, topP, params, previous, random), params);
                            assertEquals(expected.chosenRow(), c.chosenRow(), what);
                            double[] actual = dense(c.finalScores());
                            for (int v = 0; v < vocab; v++) {
                                assertEquals(expected.finalScores()[v], actual[v], 1e-12, what + ", token " + v);
                            }
                            assertEquals(expectedToken, TokenSampler.greedy(c.finalScores()), what);
                            cases++;
                        }
                    }
                }
            }
        }
        assertEquals(10 * 2 * 2 * 3 * 4, cases);
    }

    @Test
    void randomRowsWithBetaZeroGiveThePooledVectorAndNoContextGivesRowZero() {
        SplittableRandom random = new SplittableRandom(17);
        for (int trial = 0; trial < 40; trial++) {
            int n = 1 + random.nextInt(6);
            double topP = trial % 2 == 0 ? 0.95 : 1.0;
            float[][] logits = randomRows(random, n + 1, 50 + random.nextInt(200));
            Combination c = oneShard(logits, topP, new NbceParams(0.0, 0.1, Pooling.MIN_ENTROPY), -1);
            float[] chosen = RowScores.logSoftmax(logits[c.chosenRow()]);
            RowScores.applyTopP(chosen, topP);
            assertEquals(ScoreVector.ofTruncated(chosen, topP >= 1), c.finalScores(), "trial " + trial);

            Combination plain = oneShard(new float[][] {logits[0]}, topP, NbceParams.DEFAULT, -1);
            float[] row0 = RowScores.logSoftmax(logits[0]);
            RowScores.applyTopP(row0, topP);
            assertEquals(0, plain.chosenRow());
            assertEquals(ScoreVector.ofTruncated(row0, topP >= 1), plain.finalScores(), "trial " + trial);
        }
    }

    @Test
    void stickinessGoesOnlyToThePreviousRowWhereverItIsPlaced() {
        SplittableRandom random = new SplittableRandom(23);
        for (int trial = 0; trial < 60; trial++) {
            int n = 2 + random.nextInt(6);
            float[][] logits = randomRows(random, n + 1, 100);
            int previous = 1 + random.nextInt(n);
            double eta = random.nextDouble(0.01, 3.0);
            StepContext without = new StepContext(0.95, eta, Pooling.MIN_ENTROPY, -1);
            StepContext with = new StepContext(0.95, eta, Pooling.MIN_ENTROPY, previous);
            List<ShardReport> before = placed(logits, 3, without, random);
            List<ShardReport> after = placed(logits, 3, with, random);
            double[] h0 = entropiesByRow(before, n);
            double[] h1 = entropiesByRow(after, n);
            for (int r = 0; r <= n; r++) {
                assertEquals(r == previous ? h0[r] - eta : h0[r], h1[r], 0.0, "trial " + trial + ", row " + r);
            }
        }
    }

    private static double[] entropiesByRow(List<ShardReport> shards, int n) {
        double[] h = new double[n + 1];
        java.util.Arrays.fill(h, Double.NaN);
        for (ShardReport s : shards) {
            for (int i = 0; i < s.rows().length; i++) {
                h[s.rows()[i]] = s.entropies()[i];
            }
        }
        return h;
    }

    private static int argmax(double[] scores) {
        int best = 0;
        for (int v = 1; v < scores.length; v++) {
            if (scores[v] > scores[best]) {
                best = v;
            }
        }
        return best;
    }

    /** Rows 0..n dealt at random over {@code shards} workers, some of which may hold no row at all. */
    private static List<ShardReport> placed(float[][] logits, int shards, double topP, NbceParams params, int previous,
                                            SplittableRandom random) {
        return placed(logits, shards, new StepContext(topP, params.eta(), params.pooling(), previous), random);
    }

    private static List<ShardReport> placed(float[][] logits, int shards, StepContext ctx, SplittableRandom random) {
        List<List<Integer>> dealt = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
            dealt.add(new ArrayList<>());
        }
        for (int r = 0; r < logits.length; r++) {
            dealt.get(random.nextInt(shards)).add(r);
        }
        List<ShardReport> reports = new ArrayList<>();
        for (List<Integer> held : dealt) {
            Collections.shuffle(held, new java.util.Random(random.nextLong())); // a worker's own row order is arbitrary
            int[] indices = held.stream().mapToInt(Integer::intValue).toArray();
            float[][] shardLogits = new float[indices.length][];
            for (int i = 0; i < indices.length; i++) {
                shardLogits[i] = logits[indices[i]].clone();
            }
            reports.add(reduce(indices, shardLogits, ctx));
        }
        Collections.shuffle(reports, new java.util.Random(random.nextLong()));
        return reports;
    }

    private static float[][] toyModel(int contextRows, int vocab, int step, int lastToken) {
        float[][] logits = new float[contextRows + 1][vocab];
        for (int r = 0; r <= contextRows; r++) {
            SplittableRandom random = new SplittableRandom(1000L * r + 31L * step + lastToken);
            double peak = 1 + 3 * random.nextDouble();
            for (int v = 0; v < vocab; v++) {
                logits[r][v] = (float) (random.nextGaussian() * peak);
            }
        }
        return logits;
    }

    /** Rows 0..n dealt over {@code shards} shards in a random placement, shard order shuffled too. */
    private static List<ShardReport> split(float[][] logits, int shards, double topP, NbceParams params, int previous,
                                           SplittableRandom random) {
        List<Integer> rows = new ArrayList<>();
        for (int r = 0; r < logits.length; r++) {
            rows.add(r);
        }
        Collections.shuffle(rows, new java.util.Random(random.nextLong()));
        List<List<Integer>> dealt = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
            dealt.add(new ArrayList<>());
        }
        for (int i = 0; i < rows.size(); i++) {
            // every shard gets at least one row, the rest at random
            dealt.get(i < shards ? i : random.nextInt(shards)).add(rows.get(i));
        }
        StepContext ctx = new StepContext(topP, params.eta(), params.pooling(), previous);
        List<ShardReport> reports = new ArrayList<>();
        for (List<Integer> held : dealt) {
            int[] indices = held.stream().mapToInt(Integer::intValue).toArray();
            float[][] shardLogits = new float[indices.length][];
            for (int i = 0; i < indices.length; i++) {
                shardLogits[i] = logits[indices[i]].clone();
            }
            reports.add(reduce(indices, shardLogits, ctx));
        }
        return reports;
    }

    private static float[][] randomRows(SplittableRandom random, int rows, int vocab) {
        float[][] logits = new float[rows][vocab];
        for (float[] row : logits) {
            double scale = 0.5 + 4 * random.nextDouble();
            for (int v = 0; v < vocab; v++) {
                row[v] = (float) (random.nextGaussian() * scale);
            }
        }
        return logits;
    }

    /** A worker's view of one step: the request's parameters and the previously chosen row. */
    private record StepContext(StepParams params, int previousChosenRow) {
        StepContext(double topP, double eta, Pooling pooling, int previousChosenRow) {
            this(new StepParams(topP, new NbceParams(0.25, eta, pooling)), previousChosenRow);
        }
    }

    private static ShardReport reduce(int[] rows, float[][] logits, StepContext ctx) {
        return ShardReducer.reduce(rows, logits, ctx.params(), ctx.previousChosenRow());
    }
}
