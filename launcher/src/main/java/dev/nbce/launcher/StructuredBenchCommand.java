package dev.nbce.launcher;

import dev.nbce.gateway.prompt.ModelTokenizer;
import dev.nbce.launcher.config.Settings;
import dev.nbce.structured.bench.StructuredBench;
import dev.nbce.structured.bench.StructuredBench.Outcome;
import dev.nbce.structured.bench.StructuredBench.Result;
import dev.nbce.structured.vocab.TokenBytes;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** nbce structured-bench: MaskBench's measurement of the constraint engine on a schema file and a real tokenizer. */
final class StructuredBenchCommand implements Main.Command {
    @Override
    public String summary() {
        return "measure JSON-schema constraints (--cases FILE.jsonl --tokenizer DIR [--limit N] [--json] [--details])";
    }

    @Override
    public int run(List<String> argv, Settings settings, PrintStream out, PrintStream err) {
        CliArgs args = CliArgs.parse(argv, Set.of("cases", "tokenizer", "limit"), Set.of("json", "details"));
        String cases = args.get("cases");
        String tokenizer = args.get("tokenizer");
        if (cases == null || tokenizer == null) {
            err.println("structured-bench needs --cases FILE.jsonl and --tokenizer DIR (a directory with tokenizer.json, or the file)");
            return 2;
        }
        Path casesFile = Path.of(cases);
        Path tokenizerPath = Path.of(tokenizer);
        Path tokenizerFile = Files.isDirectory(tokenizerPath) ? tokenizerPath.resolve("tokenizer.json") : tokenizerPath;
        if (!Files.isRegularFile(casesFile)) {
            err.println("no cases file at " + casesFile);
            return 2;
        }
        if (!Files.isRegularFile(tokenizerFile)) {
            err.println("no tokenizer.json at " + tokenizerFile);
            return 2;
        }
        int limit;
        try {
            limit = args.get("limit") == null ? Integer.MAX_VALUE : Integer.parseInt(args.get("limit"));
        } catch (NumberFormatException e) {
            err.println("--limit must be a whole number, got " + args.get("limit"));
            return 2;
        }
        if (limit < 1) {
            err.println("--limit must be at least 1");
            return 2;
        }
        try (ModelTokenizer model = ModelTokenizer.load(tokenizerFile)) {
            StructuredBench bench = new StructuredBench(TokenBytes.load(tokenizerFile), model::encode);
            boolean details = args.has("details");
            Result r = bench.run(casesFile, limit, (id, what) -> {
                if (details) {
                    err.println(id + ": " + what);
                }
            });
            out.println(args.has("json") ? json(r) : table(r));
            return 0;
        } catch (IOException | RuntimeException e) {
            err.println("structured-bench failed: " + e.getMessage());
            return 1;
        }
    }

    static String json(Result r) {
        return String.format(Locale.ROOT, "{\"schemas\":%d,\"passing\":%d,\"compile_error\":%d,\"validation_error\":%d,"
                        + "\"invalidation_error\":%d,\"ttfm_us\":%s,\"tbm_us\":%s}", r.schemas(), r.count(Outcome.PASSING),
                r.count(Outcome.COMPILE_ERROR), r.count(Outcome.VALIDATION_ERROR), r.count(Outcome.INVALIDATION_ERROR),
                percentiles(r.ttfmNanos()), percentiles(r.tbmNanos()));
    }

    private static String percentiles(long[] nanos) {
        return String.format(Locale.ROOT, "{\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f}", Result.percentileMicros(nanos, 50),
                Result.percentileMicros(nanos, 90), Result.percentileMicros(nanos, 99));
    }

    static String table(Result r) {
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "schemas %d%n", r.schemas()));
        for (Outcome o : Outcome.values()) {
            t.append(String.format(Locale.ROOT, "  %-19s %6d  %5.1f %%%n", o.name().toLowerCase(Locale.ROOT).replace('_', ' '),
                    r.count(o), 100.0 * r.count(o) / Math.max(1, r.schemas())));
        }
        t.append(String.format(Locale.ROOT, "TTFM  p50 %.1f us  p90 %.1f us  p99 %.1f us%n", Result.percentileMicros(r.ttfmNanos(), 50),
                Result.percentileMicros(r.ttfmNanos(), 90), Result.percentileMicros(r.ttfmNanos(), 99)));
        t.append(String.format(Locale.ROOT, "TBM   p50 %.1f us  p90 %.1f us  p99 %.1f us  (%d masks)", Result.percentileMicros(r.tbmNanos(), 50),
                Result.percentileMicros(r.tbmNanos(), 90), Result.percentileMicros(r.tbmNanos(), 99), r.tbmNanos().length));
        return t.toString();
    }
}
