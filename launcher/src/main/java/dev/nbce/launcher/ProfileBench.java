package dev.nbce.launcher;

import dev.nbce.common.nbce.ShardReducer;
import dev.nbce.common.step.NbceParams;
import dev.nbce.common.step.StepParams;
import dev.nbce.worker.decoder.LlamaDecoder;
import dev.nbce.worker.decoder.MachineLimits;
import dev.nbce.worker.decoder.RowCache;
import dev.nbce.worker.decoder.StepCost;
import dev.nbce.worker.decoder.StepProfile;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * {@code bench --profile}: where a decode step goes at each row count. After one untimed pass over
 * every row count, rows are prefilled, take one untimed step, then {@code steps} decode steps with a
 * {@link StepProfile} attached to the decoder (time per phase, tensors made), each followed by the worker's row scoring of the step's logits
 * ({@link ShardReducer#reduce}, top_p 0.95, as a worker does after every forward). Prints one
 * Markdown table, a column per row count, milliseconds per step and share of forward + scoring.
 */
final class ProfileBench {
    private ProfileBench() {
    }

    /** One row count's profile. */
    record Result(int rows, StepProfile profile, double scoringMillis, StepCost.Bound bound) {
        double stepMillis() {
            return profile.forwardMillis() + scoringMillis;
        }
    }

    static List<Result> run(PrintStream out, String name, LlamaDecoder decoder, MachineLimits limits, int[] rowCounts,
                            int promptTokens, int steps) {
        // A whole untimed pass first: the first steps at new shapes pay one-time costs in PyTorch's CPU
        // kernels (without this pass the first row count's step measured 6-13x its later time).
        for (int rows : rowCounts) {
            profile(decoder, limits, rows, promptTokens, steps);
        }
        List<Result> results = new ArrayList<>();
        for (int rows : rowCounts) {
            results.add(profile(decoder, limits, rows, promptTokens, steps));
        }
        out.print(table(name, promptTokens, steps, results));
        return results;
    }

    private static Result profile(LlamaDecoder decoder, MachineLimits limits, int rows, int promptTokens, int steps) {
        SplittableRandom random = new SplittableRandom(rows);
        List<RowCache> caches = new ArrayList<>();
        List<int[]> prompts = new ArrayList<>();
        List<int[]> next = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            caches.add(decoder.newRow());
            prompts.add(random.ints(promptTokens, 0, decoder.config().vocab()).toArray());
            next.add(new int[] {1});
        }
        int[] rowIndices = IntStream.range(0, rows).toArray();
        StepParams params = new StepParams(0.95, NbceParams.DEFAULT);
        StepProfile profile = StepProfile.create();
        long scoringNanos = 0;
        try {
            decoder.forward(caches, prompts);
            ShardReducer.reduce(rowIndices, decoder.forward(caches, next), params, -1); // warm-up step
            for (int s = 0; s < steps; s++) {
                decoder.profile(profile);
                float[][] logits = decoder.forward(caches, next);
                decoder.profile(null);
                long t0 = System.nanoTime();
                ShardReducer.reduce(rowIndices, logits, params, 0);
                scoringNanos += System.nanoTime() - t0;
            }
        } finally {
            decoder.profile(null);
            caches.forEach(RowCache::close);
        }
        int bytes = decoder.device().dtype().getNumOfBytes();
        StepCost.Bound bound = StepCost.decode(decoder.config(), rows, promptTokens + 1 + steps / 2, bytes).bound(limits);
        return new Result(rows, profile, scoringNanos / 1e6 / steps, bound);
    }

    /** The Markdown table of {@code results}: one column per row count. */
    static String table(String name, int promptTokens, int steps, List<Result> results) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("decode step of the %s, %d-token prompts, mean of %d profiled steps (ms, %% of forward + scoring)%n%n",
                name, promptTokens, steps));
        b.append("| phase |");
        results.forEach(r -> b.append(" ").append(r.rows()).append(r.rows() == 1 ? " row |" : " rows |"));
        b.append("\n|---|");
        results.forEach(r -> b.append("---|"));
        b.append('\n');
        for (StepProfile.Phase phase : StepProfile.Phase.values()) {
            b.append("| ").append(phase.label()).append(" |");
            for (Result r : results) {
                Map<StepProfile.Phase, Double> ms = r.profile().millisPerForward();
                b.append(cell(ms.get(phase), r.stepMillis()));
            }
            b.append('\n');
        }
        row(b, "row scoring (ShardReducer, top_p 0.95)", results, r -> cell(r.scoringMillis(), r.stepMillis()));
        row(b, "**forward + scoring**", results, r -> String.format(" **%.1f** |", r.stepMillis()));
        row(b, "of which matmuls (4 per layer + lm_head)", results, r -> {
            Map<StepProfile.Phase, Double> ms = r.profile().millisPerForward();
            double matmuls = ms.get(StepProfile.Phase.QKV) + ms.get(StepProfile.Phase.O_PROJ) + ms.get(StepProfile.Phase.GATE_UP)
                    + ms.get(StepProfile.Phase.DOWN) + ms.get(StepProfile.Phase.LM_HEAD);
            return cell(matmuls, r.stepMillis());
        });
        row(b, "native tensors made per forward (1 JNI call each to make, 1 to free)", results,
                r -> String.format(" %.0f |", r.profile().tensorsPerForward()));
        row(b, "bound (limit), step / bound", results,
                r -> String.format(" %.1f ms (%s), x%.2f |", r.bound().millis(), r.bound().limit().label(),
                        r.bound().ratio(r.stepMillis())));
        return b.toString();
    }

    private static void row(StringBuilder b, String label, List<Result> results, java.util.function.Function<Result, String> cell) {
        b.append("| ").append(label).append(" |");
        results.forEach(r -> b.append(cell.apply(r)));
        b.append('\n');
    }

    private static String cell(double millis, double total) {
        return String.format(" %.1f (%.0f %%) |", millis, 100 * millis / total);
    }
}
