package dev.nbce.launcher;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.gateway.prompt.PromptModel;
import dev.nbce.gateway.request.Json;
import dev.nbce.gateway.speculation.Speculation;
import dev.nbce.launcher.config.Settings;
import dev.nbce.launcher.config.WorkerOptions;
import dev.nbce.worker.decoder.DecoderOptions;
import dev.nbce.worker.decoder.LlamaDecoder;
import dev.nbce.worker.decoder.MachineLimits;
import dev.nbce.worker.decoder.ProductTiming;
import dev.nbce.worker.decoder.RowCache;
import dev.nbce.worker.decoder.StepCost;
import dev.nbce.worker.model.ModelConfig;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * nbce bench: prefill throughput and decode step time against the number of rows, for the demo
 * model and a random-weight model of Qwen2.5-0.5B's shape; each batched figure is compared with
 * the same rows run one at a time, measured in the same run, and with its bound on this machine
 * ({@link StepCost}: compute at the matmul peak or bytes at the streaming bandwidth, both measured
 * through the engine at the start of the same run, {@link MachineLimits}).
 */
final class BenchCommand implements Main.Command {
    @Override
    public String summary() {
        return "model throughput vs rows ([--model DIR] [--device D] [--dtype auto|f32|f16|bf16] [--prefill-chunk-tokens N] [--rows 1,4,16,64] [--prompt-tokens T] [--steps S] [--synthetic none|qwen2.5-0.5b] [--synthetic-prompt-tokens T] [--synthetic-steps S] [--window-tokens 4096,8192: one long window each on the synthetic model, peak memory] [--stream-mib 1024: the tensor summed for the bandwidth limit] [--small-products vector|split|whole: products of 1-3 tokens in Java on both cores (then split), products of 2-4 tokens in two halves at once, or one PyTorch call each] [--json]); --products [--rows 1,2,4,8,16]: the 0.5B shape's linear layers alone, one call against two halves on two threads and the Vector API kernel; --profile [--rows 1,16,64] [--synthetic-steps 5]: where a decode step of the synthetic model (the --model/demo one with --synthetic none) goes, by phase; --distributed [--cases FILE.jsonl]: in-process vs 1 and 3 worker processes; --interleave [--window-tokens N] [--prefill-chunk-tokens C]: a stream's gaps while a long window prefills; --prefix-cache [--windows 64] [--requests 5] [--cases FILE.jsonl] [--window-tokens N: windows of N tokens, 16 unless --windows]: a second question's time to first token with the prefix cache on and off; --selection [--windows 64] [--requests 5] [--cases FILE.jsonl]: time to first token and decode step time with and without window selection; --tracing [--requests 5] [--rounds 5] [--cases FILE.jsonl]: decode step time of a traced cluster against an untraced one; --constrained [--requests 5] [--rounds 3] [--cases FILE.jsonl]: time per step and bytes per step of constrained requests vs the same unconstrained, through a cluster; --speculation [--requests 10] [--rounds 3] [--draft-tokens 4] [--draft-forward-tokens 16] [--cases FILE.jsonl]: steps, accepted drafts and time per token with speculative decoding on and off, on haystack cases of 1, 4 and 64 windows and the fixtures' reference cases";
    }

    /** One measured configuration, with the bounds of its prefill (all of it) and of its mean decode step. */
    record Row(String model, int rows, double prefillTokensPerSecond, double sequentialPrefillTokensPerSecond,
               double decodeStepMillis, double sequentialDecodeStepMillis, StepCost.Bound prefillBound,
               StepCost.Bound decodeBound, int prefillTokens) implements Bounded {
        double decodeTokensPerSecond() {
            return rows * 1000.0 / decodeStepMillis;
        }

        double decodeSpeedup() {
            return sequentialDecodeStepMillis / decodeStepMillis;
        }

        double prefillSpeedup() {
            return prefillTokensPerSecond / sequentialPrefillTokensPerSecond;
        }
    }

    /** A figure with bounds: a prefill of {@link #prefillTokens()} tokens and a decode step. */
    interface Bounded {
        int prefillTokens();

        double prefillTokensPerSecond();

        double decodeStepMillis();

        StepCost.Bound prefillBound();

        StepCost.Bound decodeBound();

        default double prefillBoundTokensPerSecond() {
            return prefillTokens() / (prefillBound().millis() / 1e3);
        }

        /** Measured prefill time over its bound. */
        default double prefillRatio() {
            return prefillBoundTokensPerSecond() / prefillTokensPerSecond();
        }

        /** Measured decode step over its bound. */
        default double decodeRatio() {
            return decodeBound().ratio(decodeStepMillis());
        }

        /** The bounds as the figures' line prints them. */
        default String boundsText() {
            return String.format("bound: prefill %.0f tok/s (%s) x%.2f, decode %.2f ms (%s) x%.2f", prefillBoundTokensPerSecond(),
                    prefillBound().limit().label(), prefillRatio(), decodeBound().millis(), decodeBound().limit().label(),
                    decodeRatio());
        }

        /** The bounds' --json keys, beside the figure's own. */
        default ObjectNode putBounds(ObjectNode node) {
            return node.put("prefill_bound_tokens_per_s", prefillBoundTokensPerSecond())
                    .put("prefill_bound_limit", prefillBound().limit().label())
                    .put("prefill_ratio", prefillRatio())
                    .put("decode_bound_ms", decodeBound().millis())
                    .put("decode_bound_limit", decodeBound().limit().label())
                    .put("decode_ratio", decodeRatio());
        }
    }

    @Override
    public int run(List<String> argv, Settings settings, PrintStream out, PrintStream err) throws Exception {
        CliArgs args = CliArgs.parse(argv, Set.of("model", "device", "rows", "prompt-tokens", "steps", "synthetic",
                "synthetic-prompt-tokens", "synthetic-steps", "cases", "requests", "dtype", "prefill-chunk-tokens",
                "window-tokens", "windows", "rounds", "stream-mib", "draft-tokens",
                "draft-forward-tokens", "small-products"), Set.of("json", "distributed", "interleave",
                "prefix-cache", "selection", "tracing", "constrained", "profile", "speculation", "products"));
        if (args.flag("interleave")) {
            InterleaveBench.run(out, ModelArgs.device(args), args.integer("window-tokens", 2048, 16, 32_000),
                    args.integer("prefill-chunk-tokens", 256, 1, 32_000));
            return 0;
        }
        if (args.flag("prefix-cache")) {
            java.nio.file.Path file = java.nio.file.Path.of(args.get("cases",
                    System.getProperty("nbce.home", ".") + "/common/src/test/resources/fixtures/eval/haystack-dev.jsonl"));
            List<EvalCommand.Case> cases = EvalCommand.readCases(file);
            int requests = args.integer("requests", 5, 1, 1000);
            if (args.get("window-tokens") != null) {
                longWindowPrefixBench(args, settings, out, cases, requests);
                return 0;
            }
            int windows = args.integer("windows", 64, 1, 4096);
            List<EvalCommand.Case> big = cases.stream().filter(c -> c.windows() == windows).limit(requests).toList();
            if (big.isEmpty()) {
                throw new CliArgs.UsageException(file + " has no case with " + windows + " windows");
            }
            EvalCommand.Case small = cases.stream().filter(c -> c.windows() == 4).findFirst().orElse(big.get(0));
            new PrefixBench(out).run(ModelArgs.modelDir(args, settings), ModelArgs.device(args), ModelArgs.decoderOptions(args, settings),
                    WorkerOptions.prefixCache(settings),
                    big, small);
            return 0;
        }
        if (args.flag("products")) {
            int[] tokens = Arrays.stream(args.get("rows", "1,2,4,8,16").split(",")).mapToInt(t -> Integer.parseInt(t.strip()))
                    .toArray();
            out.println("linear layers of the Qwen2.5-0.5B shape on the CPU, F32, best of 15 calls: one call against two"
                    + " halves of the output features at once on two threads (SplitLinear) and the Vector API kernel"
                    + " (VectorLinear; diff: its largest difference from one call over that call's largest magnitude)");
            out.printf("%-8s %6s %7s %6s | %9s %6s | %9s %6s %6s %5s | %9s %6s %6s %8s%n", "layer", "in", "out", "tokens",
                    "one call", "GB/s", "halves", "GB/s", "x", "equal", "vector", "GB/s", "x", "diff");
            for (ProductTiming.Result r : ProductTiming.measure(ModelConfig.qwen25_05b(), tokens, 15)) {
                out.printf("%-8s %6d %7d %6d | %6.2f ms %6.1f | %6.2f ms %6.1f %6.2f %5s | %6.2f ms %6.1f %6.2f %8.1e%n",
                        r.name(), r.in(), r.out(), r.tokens(), r.wholeMillis(), r.wholeGigabytesPerSecond(),
                        r.halvesMillis(), r.halvesGigabytesPerSecond(), r.halvesMillis() / r.wholeMillis(),
                        r.bitEqual() ? "yes" : "NO", r.vectorMillis(), r.vectorGigabytesPerSecond(),
                        r.vectorMillis() / r.wholeMillis(), r.vectorDifference());
            }
            return 0;
        }
        if (args.flag("speculation")) {
            String home = System.getProperty("nbce.home", ".");
            java.nio.file.Path file = java.nio.file.Path.of(args.get("cases",
                    home + "/common/src/test/resources/fixtures/eval/haystack-dev.jsonl"));
            Speculation speculation = new Speculation(args.integer("draft-tokens", 4, 1, Speculation.MAX_DRAFT_TOKENS),
                    args.integer("draft-forward-tokens", Speculation.DEFAULT.maxForwardTokens(), 1, 1 << 20));
            new SpeculationBench(out, ModelArgs.device(args), ModelArgs.decoderOptions(args, settings), speculation,
                    args.integer("rounds", 3, 1, 100))
                    .run(ModelArgs.modelDir(args, settings), file, args.integer("requests", 10, 1, 1000),
                            java.nio.file.Path.of(home, "common/src/test/resources/fixtures/models"));
            return 0;
        }
        if (args.flag("selection")) {
            java.nio.file.Path file = java.nio.file.Path.of(args.get("cases",
                    System.getProperty("nbce.home", ".") + "/common/src/test/resources/fixtures/eval/haystack-dev.jsonl"));
            int windows = args.integer("windows", 64, 1, 4096);
            List<EvalCommand.Case> cases = EvalCommand.readCases(file).stream().filter(c -> c.windows() == windows)
                    .limit(args.integer("requests", 5, 1, 1000)).toList();
            if (cases.isEmpty()) {
                throw new CliArgs.UsageException(file + " has no case with " + windows + " windows");
            }
            SelectionBench.run(out, settings, ModelArgs.modelDir(args, settings), ModelArgs.device(args), cases);
            return 0;
        }
        if (args.flag("distributed") || args.flag("tracing") || args.flag("constrained")) {
            java.nio.file.Path cases = java.nio.file.Path.of(args.get("cases",
                    System.getProperty("nbce.home", ".") + "/common/src/test/resources/fixtures/eval/haystack-dev.jsonl"));
            List<ObjectNode> requests = DistributedBench.requests(cases, 16,
                    args.integer("requests", args.flag("distributed") ? 20 : 5, 1, 1000));
            if (args.flag("constrained")) {
                new ConstraintBench(out, settings, ModelArgs.modelDir(args, settings), ModelArgs.modelName(args, settings),
                        requests).run(args, args.integer("rounds", 3, 1, 100));
            } else if (args.flag("tracing")) {
                TracingBench.run(out, settings, ModelArgs.modelDir(args, settings), ModelArgs.modelName(args, settings),
                        requests, args.integer("rounds", 5, 1, 1000), args);
            } else {
                new DistributedBench(out, settings, ModelArgs.modelDir(args, settings), ModelArgs.modelName(args, settings),
                        requests).run(args);
            }
            return 0;
        }
        boolean profile = args.flag("profile");
        int[] rowCounts = Arrays.stream(args.get("rows", profile ? "1,16,64" : "1,4,16,64").split(","))
                .mapToInt(s -> Integer.parseInt(s.strip())).toArray();
        List<Row> results = new ArrayList<>();
        DecoderOptions options = ModelArgs.decoderOptions(args, settings);
        List<Window> windows = new ArrayList<>();
        MachineLimits limits = MachineLimits.measure(options.resolve(ModelArgs.device(args)),
                MachineLimits.Sizes.DEFAULT.withStreamBytes(args.integer("stream-mib", 1024, 1, 65_536) * (1L << 20)));
        out.println(format(limits));
        if (profile) {
            boolean synthetic = !args.get("synthetic", "qwen2.5-0.5b").equals("none");
            try (LlamaDecoder decoder = synthetic
                    ? LlamaDecoder.randomWeights(ModelConfig.qwen25_05b(), 7, ModelArgs.device(args), options)
                    : LlamaDecoder.load(ModelArgs.modelDir(args, settings), ModelArgs.device(args), options)) {
                ProfileBench.run(out, synthetic ? "random Qwen2.5-0.5B shape" : ModelArgs.modelName(args, settings), decoder,
                        limits, rowCounts, args.integer("synthetic-prompt-tokens", 16, 1, 100_000),
                        args.integer("synthetic-steps", 5, 1, 10_000));
            }
            return 0;
        }
        try (LlamaDecoder demo = LlamaDecoder.load(ModelArgs.modelDir(args, settings), ModelArgs.device(args), options)) {
            for (int rows : rowCounts) {
                results.add(measure(ModelArgs.modelName(args, settings), demo, limits, rows,
                        args.integer("prompt-tokens", 64, 1, 100_000), args.integer("steps", 32, 1, 10_000)));
                out.println(format(results.get(results.size() - 1)));
            }
        }
        if (!args.get("synthetic", "qwen2.5-0.5b").equals("none")) {
            try (LlamaDecoder synthetic = LlamaDecoder.randomWeights(ModelConfig.qwen25_05b(), 7, ModelArgs.device(args), options)) {
                long loadedRss = ProcessMemory.residentBytes();
                for (int rows : rowCounts) {
                    results.add(measure("random Qwen2.5-0.5B shape", synthetic, limits, rows,
                            args.integer("synthetic-prompt-tokens", 16, 1, 100_000), args.integer("synthetic-steps", 3, 1, 10_000)));
                    out.println(format(results.get(results.size() - 1)));
                }
                String windowTokens = args.get("window-tokens");
                if (windowTokens != null) {
                    double shortPrefill = results.get(results.size() - rowCounts.length).prefillTokensPerSecond();
                    for (String t : windowTokens.split(",")) {
                        windows.add(measureWindow(synthetic, limits, Integer.parseInt(t.strip()), shortPrefill, loadedRss));
                        out.println(format(windows.get(windows.size() - 1)));
                    }
                }
            }
        }
        if (args.flag("json")) {
            out.println(toJson(limits, results, windows));
        }
        return 0;
    }

    /**
     * {@code --prefix-cache --window-tokens N}: the model with room for windows of N tokens (its
     * {@code max_position_embeddings} raised to N + {@value #FOLLOW_UP_ROOM}, for the follow-up turns),
     * each window the haystack documents joined up to N - {@value #ROW_OVERHEAD} tokens of text, so
     * that a first question's context row is about N tokens; 16 windows unless {@code --windows} says.
     */
    private static void longWindowPrefixBench(CliArgs args, Settings settings, PrintStream out, List<EvalCommand.Case> cases, int requests)
            throws Exception {
        int tokens = args.integer("window-tokens", 512, 2 * ROW_OVERHEAD, 32_000);
        int windows = args.integer("windows", 16, 1, 4096);
        try (RaisedPositionsModel model = RaisedPositionsModel.of(ModelArgs.modelDir(args, settings), tokens + FOLLOW_UP_ROOM);
             PromptModel prompts = PromptModel.load(model.directory())) {
            List<EvalCommand.Case> built = LongWindowCases.build(cases, prompts.tokenizer(), tokens - ROW_OVERHEAD, windows,
                    requests + 1);
            out.printf("windows of ~%d tokens: %s with max_position_embeddings %d%n", tokens, ModelArgs.modelName(args, settings),
                    tokens + FOLLOW_UP_ROOM);
            new PrefixBench(out).run(model.directory(), ModelArgs.device(args), ModelArgs.decoderOptions(args, settings),
                    WorkerOptions.prefixCache(settings),
                    built.subList(1, built.size()), built.get(0));
        }
    }

    /** Positions beyond the window for the follow-up turns: the answer, the new question, the generation prompt. */
    private static final int FOLLOW_UP_ROOM = 256;
    /** Tokens of a context row besides the window: the chat template and the question. */
    private static final int ROW_OVERHEAD = 32;

    /**
     * One long window on one row: prefill throughput (in chunks) against the same run's short-prompt
     * prefill, and the process's memory: resident after the weights were loaded, the row's KV cache,
     * and the peak resident size (VmHWM) once the window is in.
     */
    record Window(int tokens, int chunk, double prefillTokensPerSecond, double shortPromptPrefillTokensPerSecond,
                  double decodeStepMillis, long rssAfterLoad, long kvCacheBytes, long peakRss, StepCost.Bound prefillBound,
                  StepCost.Bound decodeBound) implements Bounded {
        @Override
        public int prefillTokens() {
            return tokens;
        }
    }

    private static Window measureWindow(LlamaDecoder decoder, MachineLimits limits, int tokens, double shortPrefill, long loadedRss) {
        int[] prompt = new SplittableRandom(tokens).ints(tokens, 0, decoder.config().vocab()).toArray();
        try (RowCache row = decoder.newRow()) {
            long t0 = System.nanoTime();
            decoder.forward(List.of(row), List.of(prompt));
            long prefillNanos = System.nanoTime() - t0;
            int steps = 4;
            t0 = System.nanoTime();
            for (int s = 0; s < steps; s++) {
                decoder.forward(List.of(row), List.of(new int[] {1}));
            }
            long decodeNanos = System.nanoTime() - t0;
            ModelConfig c = decoder.config();
            int bytes = decoder.device().dtype().getNumOfBytes();
            long kvBytes = (long) c.layers() * 2 * c.kvHeads() * row.capacity() * c.headDim() * bytes;
            int chunk = decoder.options().prefillChunkTokens();
            return new Window(tokens, chunk, tokens / (prefillNanos / 1e9), shortPrefill,
                    decodeNanos / 1e6 / steps, loadedRss, kvBytes, ProcessMemory.peakResidentBytes(),
                    StepCost.prefill(c, 1, tokens, chunk, bytes).bound(limits), meanDecodeBound(decoder, limits, 1, tokens, steps));
        }
    }

    private static String format(Window w) {
        return String.format("random Qwen2.5-0.5B shape  window %5d tokens (chunks of %d) | prefill %7.0f tok/s (short prompt"
                        + " %.0f tok/s) | decode step %.1f ms | RSS after load %.2f GiB, KV cache %.0f MiB, peak RSS %.2f GiB"
                        + " (+%.2f GiB over load + KV) | %s",
                w.tokens(), w.chunk(), w.prefillTokensPerSecond(), w.shortPromptPrefillTokensPerSecond(), w.decodeStepMillis(),
                w.rssAfterLoad() / GIB, w.kvCacheBytes() / (1024.0 * 1024), w.peakRss() / GIB,
                (w.peakRss() - w.rssAfterLoad() - w.kvCacheBytes()) / GIB, w.boundsText());
    }

    private static final double GIB = 1024.0 * 1024 * 1024;

    private static Row measure(String name, LlamaDecoder decoder, MachineLimits limits, int rows, int promptTokens, int steps) {
        SplittableRandom random = new SplittableRandom(rows);
        List<int[]> prompts = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            prompts.add(random.ints(promptTokens, 0, decoder.config().vocab()).toArray());
        }
        int[] token = {1};
        List<int[]> oneToken = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            oneToken.add(token);
        }
        warmUp(decoder, prompts.get(0));

        // Batched: all rows in one forward per step.
        List<RowCache> batched = newRows(decoder, rows);
        long t0 = System.nanoTime();
        decoder.forward(batched, prompts);
        long prefillNanos = System.nanoTime() - t0;
        t0 = System.nanoTime();
        for (int s = 0; s < steps; s++) {
            decoder.forward(batched, oneToken);
        }
        long decodeNanos = System.nanoTime() - t0;
        batched.forEach(RowCache::close);

        // Baseline: the same rows, one forward per row.
        List<RowCache> single = newRows(decoder, rows);
        t0 = System.nanoTime();
        for (int r = 0; r < rows; r++) {
            decoder.forward(single.subList(r, r + 1), prompts.subList(r, r + 1));
        }
        long seqPrefillNanos = System.nanoTime() - t0;
        t0 = System.nanoTime();
        for (int s = 0; s < steps; s++) {
            for (int r = 0; r < rows; r++) {
                decoder.forward(single.subList(r, r + 1), oneToken.subList(r, r + 1));
            }
        }
        long seqDecodeNanos = System.nanoTime() - t0;
        single.forEach(RowCache::close);

        double tokens = (double) rows * promptTokens;
        int bytes = decoder.device().dtype().getNumOfBytes();
        StepCost.Bound prefillBound = StepCost.prefill(decoder.config(), rows, promptTokens, decoder.options().prefillChunkTokens(),
                bytes).bound(limits);
        return new Row(name, rows, tokens / (prefillNanos / 1e9), tokens / (seqPrefillNanos / 1e9),
                decodeNanos / 1e6 / steps, seqDecodeNanos / 1e6 / steps, prefillBound,
                meanDecodeBound(decoder, limits, rows, promptTokens, steps), rows * promptTokens);
    }

    /** The mean bound of {@code steps} decode steps of {@code rows} rows after {@code past} cached tokens. */
    private static StepCost.Bound meanDecodeBound(LlamaDecoder decoder, MachineLimits limits, int rows, int past, int steps) {
        int bytes = decoder.device().dtype().getNumOfBytes();
        double millis = 0;
        StepCost.Limit limit = null;
        for (int s = 0; s < steps; s++) {
            StepCost.Bound b = StepCost.decode(decoder.config(), rows, past + s, bytes).bound(limits);
            millis += b.millis();
            limit = b.limit();
        }
        return new StepCost.Bound(millis / steps, limit);
    }

    private static void warmUp(LlamaDecoder decoder, int[] prompt) {
        try (RowCache row = decoder.newRow()) {
            decoder.forward(List.of(row), List.of(prompt));
            decoder.forward(List.of(row), List.of(new int[] {1}));
        }
    }

    private static List<RowCache> newRows(LlamaDecoder decoder, int rows) {
        List<RowCache> caches = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            caches.add(decoder.newRow());
        }
        return caches;
    }

    static String format(Row r) {
        return String.format("%-26s rows %3d | prefill %9.0f tok/s (x%.2f vs one row at a time) | decode step %8.2f ms,"
                        + " %8.1f rows*tok/s (x%.2f vs one row at a time: %.2f ms) | %s",
                r.model(), r.rows(), r.prefillTokensPerSecond(), r.prefillSpeedup(), r.decodeStepMillis(),
                r.decodeTokensPerSecond(), r.decodeSpeedup(), r.sequentialDecodeStepMillis(), r.boundsText());
    }

    static String format(MachineLimits l) {
        return String.format("limits through the engine (%s): matmul %s %.1f GFLOP/s, streaming read of %.2f GiB %.1f GB/s;"
                        + " a figure's bound is the longer of its flops at that peak and its bytes (weights + KV read) at that"
                        + " bandwidth, x = measured / bound",
                l.dtype(), l.matmulShape(), l.matmulGflops(), l.streamBytes() / GIB, l.streamGbps());
    }

    /**
     * The --json document: the keys kept from before (results' model, rows, prefill_tokens_per_s,
     * decode_step_ms, ...; windows' tokens, ...) and beside them the limits and each figure's bound
     * and ratio (measured time / bound time).
     */
    static ObjectNode toJson(MachineLimits limits, List<Row> results, List<Window> windows) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("matmul_gflops", limits.matmulGflops()).put("stream_gbps", limits.streamGbps())
                .put("matmul_shape", limits.matmulShape()).put("stream_bytes", limits.streamBytes())
                .put("limits_dtype", limits.dtype());
        ArrayNode rows = root.putArray("results");
        for (Row r : results) {
            r.putBounds(rows.addObject().put("model", r.model()).put("rows", r.rows())
                    .put("prefill_tokens_per_s", r.prefillTokensPerSecond())
                    .put("prefill_speedup_vs_sequential", r.prefillSpeedup())
                    .put("decode_step_ms", r.decodeStepMillis())
                    .put("decode_rows_tokens_per_s", r.decodeTokensPerSecond())
                    .put("decode_speedup_vs_sequential", r.decodeSpeedup()));
        }
        ArrayNode w = root.putArray("windows");
        for (Window r : windows) {
            r.putBounds(w.addObject().put("tokens", r.tokens()).put("prefill_chunk_tokens", r.chunk())
                    .put("prefill_tokens_per_s", r.prefillTokensPerSecond())
                    .put("short_prompt_prefill_tokens_per_s", r.shortPromptPrefillTokensPerSecond())
                    .put("decode_step_ms", r.decodeStepMillis())
                    .put("rss_after_load_bytes", r.rssAfterLoad()).put("kv_cache_bytes", r.kvCacheBytes())
                    .put("peak_rss_bytes", r.peakRss()));
        }
        return root;
    }
}
