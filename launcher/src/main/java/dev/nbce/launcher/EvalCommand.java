package dev.nbce.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.step.NbceParams;
import dev.nbce.common.step.Pooling;
import dev.nbce.gateway.request.GenerationRequest;
import dev.nbce.gateway.request.GenerationResult;
import dev.nbce.gateway.request.Json;
import dev.nbce.gateway.service.GatewayLimits;
import dev.nbce.gateway.session.SessionListener;
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

/**
 * nbce eval: needle-in-a-haystack accuracy per window count and method, greedy, exact match —
 * the protocol of shared/eval/reference-results-dev.json (β 0.25, η 0.1, top-p 0.95, 8 new tokens).
 * Cases run concurrently, so the engine batches rows of many requests into each forward.
 */
final class EvalCommand implements Main.Command {
    static final List<String> ALL_METHODS = List.of("nbce_min_entropy", "nbce_average", "truncate_last", "oracle_window", "no_context");

    /** One line of the cases file. */
    record Case(int windows, List<String> contexts, String question, String answer, int needleWindow) {}

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

        Map<Integer, Map<String, int[]>> tally = new TreeMap<>(); // n -> method -> {correct, total}
        long start = System.nanoTime();
        try (LocalRuntime runtime = new LocalRuntime(settings, ModelArgs.modelDir(args, settings), ModelArgs.device(args),
                WorkerOptions.decoder(settings), 1, GatewayLimits.DEFAULT)) {
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (Case c : cases) {
                for (String method : methods) {
                    inFlight.acquire();
                    CompletableFuture<GenerationResult> result = runtime.submit(requestFor(c, method), SessionListener.NONE);
                    all.add(result.handle((r, error) -> {
                        inFlight.release();
                        if (error != null) {
                            throw new IllegalStateException("case '" + c.question() + "' (" + method + "): " + Main.oneLine(error));
                        }
                        boolean correct = r.text().strip().equals(c.answer());
                        synchronized (tally) {
                            int[] counts = tally.computeIfAbsent(c.windows(), n -> new TreeMap<>())
                                    .computeIfAbsent(method, m -> new int[2]);
                            counts[0] += correct ? 1 : 0;
                            counts[1]++;
                        }
                        return null;
                    }));
                }
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        printTable(out, tally, methods);
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
        return new GenerationRequest(contexts, null, c.question(), GenerationRequest.DEFAULT_USER_TEMPLATE, 8, 0.0, 0.95, 0,
                null, List.of(), new NbceParams(0.25, 0.1, pooling), false);
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

    private static void printTable(PrintStream out, Map<Integer, Map<String, int[]>> tally, List<String> methods) {
        StringBuilder header = new StringBuilder(String.format("%-6s", "n"));
        methods.forEach(m -> header.append(String.format(" %17s", m)));
        out.println(header);
        tally.forEach((n, byMethod) -> {
            StringBuilder row = new StringBuilder(String.format("%-6s", n));
            methods.forEach(m -> {
                int[] c = byMethod.get(m);
                row.append(String.format(" %10.3f (%3d)", (double) c[0] / c[1], c[1]));
            });
            out.println(row);
        });
    }

    static ObjectNode toJson(Map<Integer, Map<String, int[]>> tally) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode accuracy = root.putObject("accuracy");
        tally.forEach((n, byMethod) -> {
            ObjectNode row = accuracy.putObject("n=" + n);
            byMethod.forEach((m, c) -> row.put(m, Math.round(10000.0 * c[0] / c[1]) / 10000.0));
        });
        return root;
    }
}
