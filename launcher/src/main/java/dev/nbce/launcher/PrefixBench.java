package dev.nbce.launcher;

import dev.nbce.gateway.request.GenerationRequest;
import dev.nbce.gateway.request.GenerationResult;
import dev.nbce.gateway.request.RequestMessage;
import dev.nbce.gateway.request.Role;
import dev.nbce.gateway.service.GatewayLimits;
import dev.nbce.gateway.session.SessionListener;
import dev.nbce.launcher.local.LocalRuntime;
import dev.nbce.worker.decoder.DecoderOptions;
import dev.nbce.worker.decoder.PrefixCache;
import dev.nbce.worker.decoder.PrefixCacheOptions;
import dev.nbce.worker.model.DeviceSpec;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code nbce bench --prefix-cache}: one haystack question over many windows, then a second question
 * about the same documents, in one process with the prefix cache on and again with it off, in the same
 * run. Two conversations: a follow-up turn (the second request's rows are the first's rows, the answer
 * and the new question), and a context-first {@code user_template} with a new question (the rows share
 * each window). Reports each second question's time to first token against its first turn's, and the
 * share of its prompt tokens restored from the cache.
 */
final class PrefixBench {
    static final String CONTEXT_FIRST = "{context}\n\n{question}";
    private final PrintStream out;

    PrefixBench(PrintStream out) {
        this.out = out;
    }

    /** One request's time to first token and the cache's hits during it. */
    record Turn(double ttftMillis, long hitTokens, long queryTokens, int promptTokens) {
        double hitRate() {
            return queryTokens == 0 ? 0 : (double) hitTokens / queryTokens;
        }
    }

    private static final String[] SCENARIOS = {"follow-up turn", "context-first, new question"};

    /** @param on the cached engine's prefix cache (the other has none) */
    void run(Path modelDir, DeviceSpec device, DecoderOptions options, PrefixCacheOptions on, List<EvalCommand.Case> cases,
             EvalCommand.Case warmUp) throws Exception {
        out.printf("%d different %d-window haystack questions, each then a second question on the same documents;"
                        + " 1 engine; medians%n", cases.size(), cases.get(0).windows());
        try (LocalRuntime cached = new LocalRuntime(modelDir, device, options, on, 1, GatewayLimits.DEFAULT);
             LocalRuntime uncached = new LocalRuntime(modelDir, device, options, PrefixCacheOptions.OFF, 1,
                     GatewayLimits.DEFAULT)) {
            List<LocalRuntime> runtimes = List.of(cached, uncached);
            for (LocalRuntime runtime : runtimes) {
                // Warm the JIT and the native kernels on other documents, so no first turn is a cold start.
                runtime.generate(request(warmUp.contexts(), warmUp.question(), GenerationRequest.DEFAULT_USER_TEMPLATE),
                        SessionListener.NONE);
            }
            // [runtime][scenario] -> turns, first and second question alternating
            List<List<List<Turn>>> turns = new ArrayList<>();
            runtimes.forEach(r -> turns.add(List.of(new ArrayList<>(), new ArrayList<>())));
            for (EvalCommand.Case c : cases) {
                // Both runtimes take each case in turn, so load on the machine hits both alike.
                for (int r = 0; r < runtimes.size(); r++) {
                    LocalRuntime runtime = runtimes.get(r);
                    String followUp = "And who else is mentioned?";
                    turns.get(r).get(0).add(turn(runtime, request(c.contexts(), c.question(),
                            GenerationRequest.DEFAULT_USER_TEMPLATE)));
                    turns.get(r).get(0).add(turn(runtime, request(c.contexts(), followUp, GenerationRequest.DEFAULT_USER_TEMPLATE)
                            .asTurnAfter(List.of(RequestMessage.of(Role.USER, c.question()),
                                    RequestMessage.of(Role.ASSISTANT, lastText)))));
                    turns.get(r).get(1).add(turn(runtime, request(c.contexts(), c.question(), CONTEXT_FIRST)));
                    turns.get(r).get(1).add(turn(runtime, request(c.contexts(), "Which pets are mentioned?",
                            CONTEXT_FIRST)));
                }
            }
            for (int s = 0; s < SCENARIOS.length; s++) {
                Turn[] onTurns = medians(turns.get(0).get(s));
                Turn[] offTurns = medians(turns.get(1).get(s));
                report("cache on ", SCENARIOS[s], onTurns[0], onTurns[1]);
                report("cache off", SCENARIOS[s], offTurns[0], offTurns[1]);
                out.printf("  %-9s | %-28s | second question, cache on vs off: x%.1f faster%n", "", SCENARIOS[s],
                        offTurns[1].ttftMillis() / onTurns[1].ttftMillis());
            }
            PrefixCache p = cached.engines().get(0).prefixCache();
            out.printf("  cache on: %.1f MiB in %d blocks of %d tokens (budget %.0f MiB), %d evicted; hit %d of %d"
                            + " prompt tokens looked up%n",
                    p.bytes() / 1048576.0, p.blockCount(), p.options().blockTokens(), p.options().budgetBytes() / 1048576.0,
                    p.evictions(), p.hitTokens(), p.queryTokens());
        }
    }

    /** Median first turn and median second turn (by time to first token) of alternating turns. */
    private static Turn[] medians(List<Turn> alternating) {
        List<Turn> firsts = new ArrayList<>();
        List<Turn> seconds = new ArrayList<>();
        for (int i = 0; i < alternating.size(); i++) {
            (i % 2 == 0 ? firsts : seconds).add(alternating.get(i));
        }
        return new Turn[] {median(firsts), median(seconds)};
    }

    private static Turn median(List<Turn> turns) {
        List<Turn> sorted = new ArrayList<>(turns);
        sorted.sort(java.util.Comparator.comparingDouble(Turn::ttftMillis));
        return sorted.get(sorted.size() / 2);
    }

    private String lastText = "";

    private Turn turn(LocalRuntime runtime, GenerationRequest request) throws Exception {
        PrefixCache cache = runtime.engines().get(0).prefixCache();
        long hits = cache.hitTokens();
        long queries = cache.queryTokens();
        CompletableFuture<Long> firstToken = new CompletableFuture<>();
        long t0 = System.nanoTime();
        GenerationResult result = runtime.submit(request, token -> firstToken.complete(System.nanoTime()))
                .get(600, TimeUnit.SECONDS);
        lastText = result.text();
        double ttft = (firstToken.getNow(System.nanoTime()) - t0) / 1e6;
        return new Turn(ttft, cache.hitTokens() - hits, cache.queryTokens() - queries, result.usage().promptTokens());
    }

    private void report(String label, String what, Turn first, Turn second) {
        out.printf("  %s | %-28s | first question TTFT %7.1f ms (%d prompt tokens, %d prefilled) | second TTFT %7.1f ms"
                        + " (%d prompt tokens, %d prefilled, hit rate %.1f %%) | second vs first x%.1f%n",
                label, what, first.ttftMillis(), first.promptTokens(), first.promptTokens() - first.hitTokens(),
                second.ttftMillis(), second.promptTokens(), second.promptTokens() - second.hitTokens(),
                100 * second.hitRate(), first.ttftMillis() / second.ttftMillis());
    }

    private static GenerationRequest request(List<String> contexts, String question, String template) {
        return new GenerationRequest(contexts, null, question, template, 16, 0.0, 0.95, 0, null, List.of(), null, false);
    }
}
