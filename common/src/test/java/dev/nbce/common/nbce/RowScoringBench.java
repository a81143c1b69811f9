package dev.nbce.common.nbce;

import dev.nbce.common.step.NbceParams;
import dev.nbce.common.step.StepParams;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * Milliseconds per row-step of the worker's row scoring (log-softmax, top-p, entropy, the vectors
 * reported), same rows, same run: the full-sort oracle, the exact histogram top-p (applyTopP, a second
 * exp per token), {@link RowScores#score} on one thread, and {@link ShardReducer#reduce} (rows in
 * parallel). Not a test; run with (docs/performance.md, Row scoring):
 * <pre>
 * mvn -o -B -q -pl common test-compile &amp;&amp; java -cp common/target/classes:common/target/test-classes \
 *     dev.nbce.common.nbce.RowScoringBench [rows=64] [runs=5]
 * </pre>
 */
public final class RowScoringBench {
    private static final int[] VOCABS = {151_936, 32_000};
    private static final String[] KINDS = {"confident", "peaked", "flat"};
    private static final StepParams PARAMS = new StepParams(0.95, NbceParams.DEFAULT);

    private RowScoringBench() {}

    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        System.out.printf(Locale.ROOT, "rows %d, top_p %.2f, best of %d runs, ms per row-step, %d cores%n", rows,
                PARAMS.topP(), runs, Runtime.getRuntime().availableProcessors());
        System.out.println("| vocab | logits | kept | full sort | exact histogram | score, 1 thread | reduce, rows in parallel |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (int vocab : VOCABS) {
            for (String kind : KINDS) {
                float[][] logits = logits(rows, vocab, kind);
                double[] ms = best(runs, () -> oldLoop(logits, row -> NaiveNbce.topPFullSort(row, PARAMS.topP())),
                        () -> oldLoop(logits, row -> {
                            RowScores.applyTopP(row, PARAMS.topP());
                            return row;
                        }),
                        () -> {
                            for (float[] row : logits) {
                                RowScores.score(row, PARAMS.topP());
                            }
                        },
                        () -> ShardReducer.reduce(rowIds(rows), logits, PARAMS, 1));
                System.out.printf(Locale.ROOT, "| %,d | %s | %,d | %.3f | %.3f | %.3f | %.3f |%n", vocab, kind,
                        RowScores.score(logits[0], PARAMS.topP()).scores().size(), ms[0] / rows, ms[1] / rows, ms[2] / rows,
                        ms[3] / rows);
            }
        }
    }

    /** The per-row work as ShardReducer did it before: dense rows, entropy, vectors of row 0 and the best row. */
    private static void oldLoop(float[][] logits, UnaryOperator<float[]> topP) {
        for (int i = 0; i < logits.length; i++) {
            float[] truncated = topP.apply(RowScores.logSoftmax(logits[i]));
            RowScores.entropy(truncated);
            if (i < 2) {
                ScoreVector.ofTruncated(truncated, false);
            }
        }
    }

    /**
     * Best wall time in ms of each piece of work over {@code runs} rounds after a warm-up round; they
     * take turns within a round, so a busy moment of a shared machine does not fall on one of them only.
     */
    private static double[] best(int runs, Runnable... work) {
        double[] best = new double[work.length];
        java.util.Arrays.fill(best, Double.POSITIVE_INFINITY);
        for (int r = -1; r < runs; r++) {
            for (int w = 0; w < work.length; w++) {
                long t0 = System.nanoTime();
                work[w].run();
                double ms = (System.nanoTime() - t0) / 1e6;
                best[w] = r < 0 ? best[w] : Math.min(best[w], ms);
            }
        }
        return best;
    }

    private static int[] rowIds(int rows) {
        int[] ids = new int[rows];
        for (int i = 0; i < rows; i++) {
            ids[i] = i;
        }
        return ids;
    }

    /**
     * N(0, 2.5²) with one token at 20 (confident: nucleus of one) or 12 (peaked: a nucleus of thousands);
     * flat: N(0, 1), like random weights (a nucleus of most of the vocabulary).
     */
    private static float[][] logits(int rows, int vocab, String kind) {
        SplittableRandom random = new SplittableRandom(rows * 31L + vocab);
        float[][] out = new float[rows][vocab];
        for (float[] row : out) {
            double scale = kind.equals("flat") ? 1.0 : 2.5;
            for (int v = 0; v < vocab; v++) {
                row[v] = (float) (random.nextGaussian() * scale);
            }
            if (!kind.equals("flat")) {
                row[random.nextInt(vocab)] = kind.equals("peaked") ? 12f : 20f;
            }
        }
        return out;
    }
}
