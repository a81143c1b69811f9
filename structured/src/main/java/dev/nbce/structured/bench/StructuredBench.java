package dev.nbce.structured.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nbce.structured.CompileLimits;
import dev.nbce.structured.ConstraintCompiler;
import dev.nbce.structured.ConstraintException;
import dev.nbce.structured.ConstraintSpec;
import dev.nbce.structured.ConstraintState;
import dev.nbce.structured.TokenConstraint;
import dev.nbce.structured.grammar.JsonText;
import dev.nbce.structured.vocab.TokenBytes;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * MaskBench's measurement over a JSONL of schemas with valid and invalid instances: each schema compiled,
 * each instance's compact text fed token by token through the mask, and the schema classified as passing,
 * compile error, validation error (a valid instance refused) or invalidation error (an invalid one accepted),
 * with the time to the first mask (TTFM) and per mask (TBM). One thread.
 */
public final class StructuredBench {
    /** Decimals as written: 12345.0 stays a non-integer spelling, which draft-4 validators tell apart. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true));

    /** One schema's outcome. */
    public enum Outcome { PASSING, COMPILE_ERROR, VALIDATION_ERROR, INVALIDATION_ERROR }

    /** The counts and timings of a run. */
    public record Result(int schemas, Map<Outcome, Integer> outcomes, long[] ttfmNanos, long[] tbmNanos,
                         Map<String, String> details) {
        public int count(Outcome o) {
            return outcomes.getOrDefault(o, 0);
        }

        /** The p-th percentile (0..100) of sorted nanos, in microseconds. */
        public static double percentileMicros(long[] sorted, double p) {
            if (sorted.length == 0) {
                return 0;
            }
            int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1000.0;
        }
    }

    /** Masks slower than this are reported with where they were (TBM p99 is 1 ms at most by target). */
    private static final int SLOW_MASK_MICROS = 1000;

    private final TokenBytes vocab;
    private final Function<String, int[]> tokenize;

    public StructuredBench(TokenBytes vocab, Function<String, int[]> tokenize) {
        this.vocab = vocab;
        this.tokenize = tokenize;
    }

    public Result run(Path cases, int limit) throws IOException {
        return run(cases, limit, (id, what) -> { });
    }

    /** As {@link #run(Path, int)}, telling {@code report} each schema that does not pass, as it happens. */
    public Result run(Path cases, int limit, java.util.function.BiConsumer<String, String> report) throws IOException {
        // a fresh compiler per run: no schema is found in the cache, every TTFM includes compilation
        ConstraintCompiler compiler = new ConstraintCompiler(vocab, CompileLimits.DEFAULT);
        Map<Outcome, Integer> outcomes = new LinkedHashMap<>();
        for (Outcome o : Outcome.values()) {
            outcomes.put(o, 0);
        }
        List<Long> ttfm = new ArrayList<>();
        List<Long> tbm = new ArrayList<>();
        Map<String, String> details = new LinkedHashMap<>();
        long[] mask = new long[(vocab.size() + 63) >>> 6];
        int schemas = 0;
        try (BufferedReader in = Files.newBufferedReader(cases)) {
            String line;
            while ((line = in.readLine()) != null && schemas < limit) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode c = JSON.readTree(line);
                schemas++;
                String id = c.path("id").asText("#" + schemas);
                long t0 = System.nanoTime();
                TokenConstraint constraint;
                try {
                    constraint = compiler.compile(new ConstraintSpec.JsonSchema(c.get("schema")));
                    constraint.start().fillAllowed(mask);
                } catch (ConstraintException e) {
                    outcomes.merge(Outcome.COMPILE_ERROR, 1, Integer::sum);
                    details.put(id, "compile error at '" + e.path() + "': " + e.getMessage());
                    report.accept(id, details.get(id));
                    continue;
                } catch (RuntimeException e) {
                    outcomes.merge(Outcome.COMPILE_ERROR, 1, Integer::sum);
                    details.put(id, "compile failure: " + e);
                    report.accept(id, details.get(id));
                    continue;
                }
                ttfm.add(System.nanoTime() - t0);
                Outcome outcome = Outcome.PASSING;
                for (JsonNode test : c.path("tests")) {
                    boolean valid = test.path("valid").asBoolean();
                    String text = JsonText.write(test.get("data"));
                    int[] tokens = tokenize.apply(text);
                    int[] slowest = {0, 0};
                    int stop = feed(constraint, tokens, mask, tbm, slowest);
                    if (slowest[0] > SLOW_MASK_MICROS) {
                        report.accept(id, "slowest mask " + slowest[0] + " us, after \"" + abbreviate(prefix(tokens, slowest[1])) + "\"");
                    }
                    boolean accepted = stop == tokens.length;
                    if (valid && !accepted && outcome == Outcome.PASSING) {
                        outcome = Outcome.VALIDATION_ERROR;
                        details.put(id, "valid instance refused at token " + stop + " of " + tokens.length + ", after \""
                                + abbreviate(prefix(tokens, stop)) + "\"");
                    } else if (!valid && accepted) {
                        outcome = Outcome.INVALIDATION_ERROR;
                        details.put(id, "invalid instance accepted: " + abbreviate(text));
                    }
                }
                outcomes.merge(outcome, 1, Integer::sum);
                if (outcome != Outcome.PASSING) {
                    report.accept(id, details.get(id));
                }
                long took = (System.nanoTime() - t0) / 1_000_000;
                if (took > 2000) {
                    report.accept(id, "slow: " + took + " ms");
                }
            }
        }
        return new Result(schemas, outcomes, sorted(ttfm), sorted(tbm), details);
    }

    private String prefix(int[] tokens, int upTo) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < upTo && i < tokens.length; i++) {
            byte[] b = vocab.bytes(tokens[i]);
            out.write(b, 0, b.length);
        }
        String s = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        return s.length() > 150 ? "..." + s.substring(s.length() - 147) : s;
    }

    /**
     * Feeds the tokens through the masks: the number of tokens accepted, all of them only when the end is
     * reachable too (else one less).
     */
    private static int feed(TokenConstraint constraint, int[] tokens, long[] mask, List<Long> tbm, int[] slowest) {
        ConstraintState state = constraint.start();
        int i = 0;
        for (int token : tokens) {
            long t0 = System.nanoTime();
            state.fillAllowed(mask);
            long took = System.nanoTime() - t0;
            tbm.add(took);
            if (took / 1000 > slowest[0]) {
                slowest[0] = (int) (took / 1000);
                slowest[1] = i;
            }
            if ((mask[token >>> 6] & (1L << token)) == 0) {
                return i;
            }
            state = state.advance(token);
            i++;
        }
        return state.canEnd() ? tokens.length : tokens.length - 1;
    }

    private static long[] sorted(List<Long> values) {
        long[] out = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(out);
        return out;
    }

    private static String abbreviate(String s) {
        return s.length() > 160 ? s.substring(0, 157) + "..." : s;
    }
}
