package dev.nbce.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.step.NbceParams;
import dev.nbce.common.step.Pooling;
import dev.nbce.common.step.Selection;
import dev.nbce.gateway.request.GenerationRequest;
import dev.nbce.gateway.request.GenerationResult;
import dev.nbce.gateway.request.Json;
import dev.nbce.gateway.service.GatewayLimits;
import dev.nbce.gateway.session.SessionListener;
import dev.nbce.gateway.session.TokenEvent;
import dev.nbce.launcher.config.Settings;
import dev.nbce.launcher.config.WorkerOptions;
import dev.nbce.launcher.local.LocalRuntime;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * nbce eval: needle-in-a-haystack accuracy per window count and method, greedy, exact match —
 * the protocol of shared/eval/reference-results-dev.json (β 0.25, η 0.1, top-p 0.95, 8 new tokens).
 * Cases run concurrently, so the engine batches rows of many requests into each forward.
 */
final class EvalCommand implements Main.Command {
    static final List<String> ALL_METHODS = List.of("nbce_min_entropy", "nbce_average", "truncate_last", "oracle_window", "no_context",
            "nbce_selected", "nbce_entropy_pruned");
    /**
     * nbce_selected, the recommended mode (docs/nbce-modes.md): the window most salient to the question, chosen
     * before prefill, with row 0's β correction. One window: min-entropy pooling answers each token from one window
     * anyway, and every further window kept is one more chance of a confidently wrong row.
     */
    static final Selection SELECTED = new Selection(Selection.Rule.SALIENCY, 1, 0);
    /**
     * nbce_entropy_pruned: min-entropy NBCE that keeps, after the first token, the 2 windows with the lowest entropy
     * there (the chosen one and its runner-up); cost only, no accuracy gain (docs/nbce-modes.md).
     */
    static final Selection ENTROPY_PRUNED = new Selection(Selection.Rule.ENTROPY, 2, 1);

    /** One line of the cases file. */
    record Case(int windows, List<String> contexts, String question, String answer, int needleWindow) {}

    /**
     * What one method scored at one window count, and what it cost: decode rows·steps (each step, the rows that
     * decode one token) and prefilled prompt tokens, summed over the cases.
     */
    static final class Score {
        int correct;
        int total;
        long rowsSteps;
        long prefillTokens;

        double accuracy() {
            return (double) correct / total;
        }

        double meanRowsSteps() {
            return (double) rowsSteps / total;
        }

        double meanPrefillTokens() {
            return (double) prefillTokens / total;
        }
    }

    /** Counts one request's decode rows·steps and prefilled tokens; read once its result is in. */
    private static final class CostCounter implements SessionListener {
        private long rowsSteps;
        private long prefillTokens;

        @Override
        public void onToken(TokenEvent token) {}

        @Override
        public void onPrefill(int rows, int tokens) {
            prefillTokens += tokens;
        }

        @Override
        public void onDecode(int rows) {
            rowsSteps += rows;
        }
    }

    @Override
    public String summary() {
        return "needle-in-a-haystack accuracy (--cases FILE.jsonl [--model DIR] [--methods a,b] [--json] [--limit-per-n K])";
    }

    @Override
    public int run(List<String> argv, Settings settings, PrintStream out, PrintStream err) throws Exception {
        CliArgs args = CliArgs.parse(argv, Set.of("cases", "model", "methods", "device", "limit-per-n", "concurrency"), Set.of("json"));
        String file = args.get("cases");
        if (file == null) {
            throw new CliArgs.UsageException("--cases FILE.jsonl is required");
        }
        List<String> methods = Arrays.stream(args.get("methods", String.join(",", ALL_METHODS)).split(","))
                .map(String::strip).toList();
        for (String method : methods) {
            if (!ALL_METHODS.contains(method)) {
                throw new CliArgs.UsageException("unknown method '" + method + "'; expected " + String.join(",", ALL_METHODS));
            }
        }
        List<Case> cases = limitPerWindowCount(readCases(Path.of(file)), args.integer("limit-per-n", Integer.MAX_VALUE, 1, Integer.MAX_VALUE));
        Semaphore inFlight = new Semaphore(args.integer("concurrency", 16, 1, 256));

        Map<Integer, Map<String, Score>> tally = new TreeMap<>(); // n -> method -> score
        long start = System.nanoTime();
        try (LocalRuntime runtime = new LocalRuntime(settings, ModelArgs.modelDir(args, settings), ModelArgs.device(args),
                WorkerOptions.decoder(settings), 1, GatewayLimits.DEFAULT)) {
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (Case c : cases) {
                for (String method : methods) {
                    inFlight.acquire();
                    CostCounter cost = new CostCounter();
                    CompletableFuture<GenerationResult> result = runtime.submit(requestFor(c, method), cost);
                    all.add(result.handle((r, error) -> {
                        inFlight.release();
                        if (error != null) {
                            throw new IllegalStateException("case '" + c.question() + "' (" + method + "): " + Main.oneLine(error));
                        }
                        boolean correct = r.text().strip().equals(c.answer());
                        synchronized (tally) {
                            Score score = tally.computeIfAbsent(c.windows(), n -> new TreeMap<>())
                                    .computeIfAbsent(method, m -> new Score());
                            score.correct += correct ? 1 : 0;
                            score.total++;
                            score.rowsSteps += cost.rowsSteps;
                            score.prefillTokens += cost.prefillTokens;
                        }
                        return null;
                    }));
                }
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        printTable(out, "accuracy (cases)", tally, methods, s -> String.format("%10.3f (%3d)", s.accuracy(), s.total));
        printTable(out, "decode rows·steps per case", tally, methods, s -> String.format("%16.1f", s.meanRowsSteps()));
        printTable(out, "prefilled tokens per case", tally, methods, s -> String.format("%16.1f", s.meanPrefillTokens()));
        out.printf("%d cases x %d methods in %.1f s%n", cases.size(), methods.size(), seconds);
        if (args.flag("json")) {
            out.println(toJson(tally));
        }
        return 0;
    }

    /** The request each method makes of one case. */
    static GenerationRequest requestFor(Case c, String method) {
        List<String> contexts = switch (method) {
            case "truncate_last" -> List.of(c.contexts().get(c.contexts().size() - 1));
            case "oracle_window" -> List.of(c.contexts().get(c.needleWindow()));
            case "no_context" -> List.of();
            default -> c.contexts();
        };
        Pooling pooling = method.equals("nbce_average") ? Pooling.AVERAGE : Pooling.MIN_ENTROPY;
        Selection selection = switch (method) {
            case "nbce_selected" -> SELECTED;
            case "nbce_entropy_pruned" -> ENTROPY_PRUNED;
            default -> null;
        };
        return new GenerationRequest(contexts, null, c.question(), GenerationRequest.DEFAULT_USER_TEMPLATE, 8, 0.0, 0.95, 0,
                null, List.of(), new NbceParams(0.25, 0.1, pooling, selection), false);
    }

    static List<Case> readCases(Path file) throws IOException {
        List<Case> cases = new ArrayList<>();
        int line = 0;
        for (String text : Files.readAllLines(file)) {
            line++;
            if (text.isBlank()) {
                continue;
            }
            try {
                JsonNode node = Json.MAPPER.readTree(text);
                List<String> contexts = new ArrayList<>();
                node.get("contexts").forEach(ctx -> contexts.add(ctx.asText()));
                cases.add(new Case(node.get("n_windows").asInt(), contexts, node.get("question").asText(),
                        node.get("answer").asText(), node.get("needle_window").asInt()));
            } catch (IOException | RuntimeException e) {
                throw new CliArgs.UsageException(file + " line " + line + ": not a case (" + Main.oneLine(e) + ")");
            }
        }
        return cases;
    }

    private static List<Case> limitPerWindowCount(List<Case> cases, int limit) {
        Map<Integer, Integer> seen = new TreeMap<>();
        return cases.stream().filter(c -> seen.merge(c.windows(), 1, Integer::sum) <= limit).toList();
    }

    private static void printTable(PrintStream out, String title, Map<Integer, Map<String, Score>> tally,
                                   List<String> methods, Function<Score, String> cell) {
        out.println(title);
        StringBuilder header = new StringBuilder(String.format("%-6s", "n"));
        methods.forEach(m -> header.append(String.format(" %17s", m)));
        out.println(header);
        tally.forEach((n, byMethod) -> {
            StringBuilder row = new StringBuilder(String.format("%-6s", n));
            methods.forEach(m -> row.append(String.format(" %17s", cell.apply(byMethod.get(m)))));
            out.println(row);
        });
    }

    /** {"accuracy": {"n=…": {method: …}}, "rows_steps": {…}, "prefill_tokens": {…}}: one shape for the three. */
    static ObjectNode toJson(Map<Integer, Map<String, Score>> tally) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        putPerWindowCount(root.putObject("accuracy"), tally, s -> Math.round(10000.0 * s.correct / s.total) / 10000.0);
        putPerWindowCount(root.putObject("rows_steps"), tally, s -> Math.round(10.0 * s.meanRowsSteps()) / 10.0);
        putPerWindowCount(root.putObject("prefill_tokens"), tally, s -> Math.round(10.0 * s.meanPrefillTokens()) / 10.0);
        return root;
    }

    private static void putPerWindowCount(ObjectNode table, Map<Integer, Map<String, Score>> tally,
                                          ToDoubleFunction<Score> value) {
        tally.forEach((n, byMethod) -> {
            ObjectNode row = table.putObject("n=" + n);
            byMethod.forEach((m, s) -> row.put(m, value.applyAsDouble(s)));
        });
    }
}
