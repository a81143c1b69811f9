package dev.nbce.launcher;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.nbce.gateway.request.GenerationRequest;
import dev.nbce.gateway.request.GenerationResult;
import dev.nbce.gateway.service.GatewayLimits;
import dev.nbce.gateway.session.SessionListener;
import dev.nbce.gateway.session.TokenEvent;
import dev.nbce.gateway.speculation.PromptLookup;
import dev.nbce.gateway.speculation.Speculation;
import dev.nbce.launcher.local.LocalRuntime;
import dev.nbce.worker.decoder.DecoderOptions;
import dev.nbce.worker.model.DeviceSpec;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code bench --speculation [--cases FILE.jsonl] [--requests 10] [--rounds 3] [--draft-tokens 4]
 * [--draft-forward-tokens 16]}: speculative
 * decoding on and off in the same run (docs/speculative-decoding.md), two in-process runtimes on the same model, the
 * same greedy requests alternated: the haystack cases with 1, 4 and 64 windows (2, 5 and 65 rows) on the --model (the
 * demo by default), all of them and those asking for a secret code, then every fixture model's reference cases when
 * the fixtures are at hand. Per workload: model
 * steps (each one forward of the request's rows, one round trip to each worker in a cluster) per generated token,
 * drafts accepted, and wall time per token after the first, best round of each; and whether the ids were equal.
 */
final class SpeculationBench {
    private static final int[] WINDOW_COUNTS = {1, 4, 64};
    private static final List<String> FIXTURE_MODELS = List.of("tiny-llama", "tiny-llama3", "tiny-qwen3", "tiny-mistral");

    /** Reference files hold -Infinity (masked logits), which strict JSON does not. */
    private static final ObjectMapper REFERENCE_JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private final PrintStream out;
    private final DeviceSpec device;
    private final DecoderOptions options;
    private final Speculation speculation;
    private final int rounds;

    /** @param speculation the "on" mode: as the server would run it, or with the forward budget lifted */
    SpeculationBench(PrintStream out, DeviceSpec device, DecoderOptions options, Speculation speculation, int rounds) {
        this.out = out;
        this.device = device;
        this.options = options;
        this.speculation = speculation;
        this.rounds = rounds;
    }

    /** What one mode did over a workload's requests in one round. */
    private static final class Tally implements SessionListener {
        int requests;
        int tokens;
        int steps;
        int drafted;
        int accepted;
        double decodeMillis;
        private long first;
        private long last;
        private int seen;

        @Override
        public void onToken(TokenEvent token) {
            last = System.nanoTime();
            if (seen++ == 0) {
                first = last;
            }
        }

        @Override
        public void onDecode(int rows) {
            steps++;
        }

        @Override
        public void onDraftVerified(int draftedTokens, int acceptedTokens) {
            drafted += draftedTokens;
            accepted += acceptedTokens;
        }

        void request(GenerationResult result) {
            requests++;
            steps++; // the open's forward chose the first token
            tokens += result.tokenIds().length;
            decodeMillis += seen > 1 ? (last - first) / 1e6 : 0;
            seen = 0;
        }

        double msPerToken() {
            return decodeMillis / Math.max(1, tokens - requests);
        }
    }

    void run(Path modelDir, Path casesFile, int requestsPerCount, Path fixtures) throws Exception {
        out.printf("speculative decoding: at most %d draft tokens and %d tokens a forward, best of %d rounds; steps ="
                + " forwards of the request's rows (= round trips per worker in a cluster)%n", speculation.maxDraftTokens(),
                speculation.maxForwardTokens(), rounds);
        out.printf("%-24s %5s %5s %7s | %-21s | %-17s | %-27s | %s%n", "workload", "rows", "reqs", "tokens",
                "steps/token off -> on", "drafts accepted", "ms/token off -> on (x)", "ids equal");
        out.printf("prompt lookup, worst case (64 windows of 4,096 tokens, an n-gram that occurs nowhere): %.3f ms"
                + " per draft, best of 200%n", lookupWorstCaseMillis());
        List<EvalCommand.Case> cases = EvalCommand.readCases(casesFile);
        try (LocalRuntime off = runtime(modelDir, Speculation.OFF); LocalRuntime on = runtime(modelDir, speculation)) {
            for (int windows : WINDOW_COUNTS) {
                List<EvalCommand.Case> ofCount = cases.stream().filter(c -> c.windows() == windows).toList();
                haystack("haystack n=" + windows, windows, off, on, ofCount, requestsPerCount);
                // Codes are the longest answers the demo gives (four digits): the ones drafts can shorten.
                haystack("  secret codes only", windows, off, on,
                        ofCount.stream().filter(c -> c.answer().chars().allMatch(Character::isDigit)).toList(),
                        requestsPerCount);
            }
        }
        for (String model : FIXTURE_MODELS) {
            Path reference = fixtures.resolve(model).resolve("reference.json");
            if (!Files.isRegularFile(reference)) {
                continue;
            }
            List<GenerationRequest> requests = new ArrayList<>();
            REFERENCE_JSON.readTree(reference.toFile()).get("nbce").forEach(c -> requests.add(ReferenceCase.requestOf(c)));
            try (LocalRuntime off = runtime(fixtures.resolve(model), Speculation.OFF);
                 LocalRuntime on = runtime(fixtures.resolve(model), speculation)) {
                compare("reference " + model, -1, off, on, requests);
            }
        }
    }

    private void haystack(String name, int windows, LocalRuntime off, LocalRuntime on, List<EvalCommand.Case> cases,
                          int limit) throws Exception {
        List<GenerationRequest> requests = cases.stream().limit(limit)
                .map(c -> EvalCommand.requestFor(c, "nbce_min_entropy")).toList();
        if (!requests.isEmpty()) {
            compare(name, windows + 1, off, on, requests);
        }
    }

    /** What drafting costs the gateway per step at most: every window scanned for each n-gram length. */
    private static double lookupWorstCaseMillis() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(1);
        List<int[]> windows = new ArrayList<>();
        for (int w = 0; w < 64; w++) {
            windows.add(random.ints(4096, 0, 150_000).toArray());
        }
        PromptLookup lookup = new PromptLookup(windows);
        int[] answer = {200_000, 200_001, 200_002};
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 200; i++) {
            long t0 = System.nanoTime();
            if (lookup.draft(answer, 0, 4).length != 0) {
                throw new IllegalStateException("an n-gram of ids outside the windows' range was found");
            }
            best = Math.min(best, System.nanoTime() - t0);
        }
        return best / 1e6;
    }

    private LocalRuntime runtime(Path modelDir, Speculation mode) {
        return new LocalRuntime(modelDir, device, options, 1, GatewayLimits.DEFAULT.withSpeculation(mode));
    }

    /** One workload: a warm-up pass, then {@link #rounds} rounds alternating the modes' order. */
    private void compare(String name, int rows, LocalRuntime off, LocalRuntime on, List<GenerationRequest> requests)
            throws Exception {
        boolean equal = Arrays.equals(ids(off, requests, new Tally()), ids(on, requests, new Tally()));
        Tally bestOff = null;
        Tally bestOn = null;
        for (int round = 0; round < rounds; round++) {
            Tally first = new Tally();
            Tally second = new Tally();
            boolean offFirst = round % 2 == 0;
            equal &= Arrays.equals(ids(offFirst ? off : on, requests, first), ids(offFirst ? on : off, requests, second));
            Tally plain = offFirst ? first : second;
            Tally drafted = offFirst ? second : first;
            bestOff = bestOff == null || plain.msPerToken() < bestOff.msPerToken() ? plain : bestOff;
            bestOn = bestOn == null || drafted.msPerToken() < bestOn.msPerToken() ? drafted : bestOn;
        }
        out.printf("%-24s %5s %5d %7d | %8.3f -> %8.3f | %6d of %6d | %9.2f -> %9.2f (x%.2f) | %s%n", name,
                rows < 0 ? "-" : Integer.toString(rows), bestOn.requests, bestOn.tokens,
                bestOff.steps / (double) bestOff.tokens, bestOn.steps / (double) bestOn.tokens, bestOn.accepted,
                bestOn.drafted, bestOff.msPerToken(), bestOn.msPerToken(), bestOn.msPerToken() / bestOff.msPerToken(),
                equal ? "yes" : "NO");
    }

    /** Runs the requests one at a time; every answer's ids, end to end. */
    private static int[] ids(LocalRuntime runtime, List<GenerationRequest> requests, Tally tally) throws Exception {
        List<Integer> all = new ArrayList<>();
        for (GenerationRequest request : requests) {
            GenerationResult result = runtime.submit(request, tally).join();
            tally.request(result);
            Arrays.stream(result.tokenIds()).forEach(all::add);
            all.add(-1);
        }
        return all.stream().mapToInt(Integer::intValue).toArray();
    }
}
