package dev.nbce.launcher;

import dev.nbce.common.step.NbceParams;
import dev.nbce.common.step.StepParams;
import dev.nbce.common.wire.Advance;
import dev.nbce.common.wire.OpenRows;
import dev.nbce.common.wire.RowPrompt;
import dev.nbce.worker.decoder.DecoderOptions;
import dev.nbce.worker.decoder.LlamaDecoder;
import dev.nbce.worker.engine.EngineLimits;
import dev.nbce.worker.engine.RowEngine;
import dev.nbce.worker.model.DeviceSpec;
import dev.nbce.worker.model.ModelConfig;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code nbce bench --interleave}: one stream decodes while a long window is prefilled on the same
 * engine (random weights of Qwen2.5-0.5B's shape). Measures the stream's inter-token gaps during that
 * prefill with the configured chunk, against the same run with the whole prompt as one chunk (a
 * prefill that runs to completion before the stream's next step: the engine before interleaving).
 */
final class InterleaveBench {
    private static final StepParams PARAMS = new StepParams(0.95, NbceParams.DEFAULT);

    record Result(int chunk, int windowTokens, double prefillSeconds, double maxGapMs, double meanGapMs, int steps) {}

    private InterleaveBench() {}

    static void run(PrintStream out, DeviceSpec device, int windowTokens, int chunk) throws Exception {
        ModelConfig shape = ModelConfig.qwen25_05b();
        List<Result> results = new ArrayList<>();
        for (int c : new int[] {windowTokens, chunk}) {
            DecoderOptions options = new DecoderOptions(DecoderOptions.Precision.AUTO, c);
            try (LlamaDecoder decoder = LlamaDecoder.randomWeights(shape, 7, device, options);
                 RowEngine engine = new RowEngine(decoder, EngineLimits.DEFAULT, (rows, tokens, nanos) -> { }, "bench")) {
                results.add(measure(engine, windowTokens, c, shape.vocab()));
            }
            Result r = results.get(results.size() - 1);
            out.printf("chunk %5d tokens | %d-token window prefilled in %.1f s | stream meanwhile: %d steps, max gap %.0f ms, mean gap %.0f ms%n",
                    r.chunk(), r.windowTokens(), r.prefillSeconds(), r.steps(), r.maxGapMs(), r.meanGapMs());
        }
        Result whole = results.get(0);
        Result chunked = results.get(1);
        out.printf("max inter-token gap during the prefill: %.0f ms with %d-token chunks vs %.0f ms unchunked (x%.2f); "
                        + "prefill time x%.2f%n", chunked.maxGapMs(), chunked.chunk(), whole.maxGapMs(),
                chunked.maxGapMs() / whole.maxGapMs(), chunked.prefillSeconds() / whole.prefillSeconds());
    }

    private static Result measure(RowEngine engine, int windowTokens, int chunk, int vocab) throws Exception {
        engine.open(new OpenRows("stream", PARAMS, -1, 0, List.of(new RowPrompt(0, tokens(16, 1, vocab)))))
                .get(10, TimeUnit.MINUTES);
        int step = 1;
        engine.advance(new Advance("stream", step++, 11, 0)).get(10, TimeUnit.MINUTES); // warm
        long start = System.nanoTime();
        CompletableFuture<?> prefill = engine.open(new OpenRows("window", PARAMS, -1, 0,
                List.of(new RowPrompt(0, tokens(windowTokens, 2, vocab)))));
        List<Long> stepsAt = new ArrayList<>(List.of(start));
        // The stream keeps stepping until the window's prefill is done (and answers its first step after it).
        while (!prefill.isDone()) {
            engine.advance(new Advance("stream", step++, 11, 0)).get(10, TimeUnit.MINUTES);
            stepsAt.add(System.nanoTime());
        }
        double prefillSeconds = (System.nanoTime() - start) / 1e9;
        prefill.get();
        double max = 0;
        double sum = 0;
        for (int i = 1; i < stepsAt.size(); i++) {
            double gap = (stepsAt.get(i) - stepsAt.get(i - 1)) / 1e6;
            max = Math.max(max, gap);
            sum += gap;
        }
        engine.close("stream");
        engine.close("window");
        return new Result(chunk, windowTokens, prefillSeconds, max, sum / (stepsAt.size() - 1), stepsAt.size() - 1);
    }

    private static int[] tokens(int n, int salt, int vocab) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = (int) ((i * 7919L + salt) % (vocab - 10)) + 5;
        }
        return ids;
    }
}
