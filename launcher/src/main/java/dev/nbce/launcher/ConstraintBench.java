package dev.nbce.launcher;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.launcher.DistributedBench.Timing;
import dev.nbce.launcher.config.Settings;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * nbce bench --constrained: what a constraint costs per step through the cluster (docs/structured-output.md#cost).
 * The same 16-window requests of the demo model, one after another, unconstrained, under the regex {@code [\s\S]*}
 * (any valid text: nearly the same tokens, the masks' cost) and under a small JSON schema; EOS is biased by -100 in
 * every variant, so each answer runs its whole budget (a constraint that must end still ends: EOS is then the only
 * token it allows). Each variant's time per step is the best of several rounds (the rounds interleave the variants,
 * so drift hits them alike), with its ratio to the unconstrained one, and the event-bus bytes the gateway received
 * per step.
 */
record ConstraintBench(PrintStream out, Settings settings, Path modelDir, String modelName, List<ObjectNode> requests) {

    /** Each variant: how it changes a request. */
    private static Map<String, UnaryOperator<ObjectNode>> variants() {
        Map<String, UnaryOperator<ObjectNode>> variants = new LinkedHashMap<>();
        variants.put("unconstrained", r -> r);
        variants.put("regex [\\s\\S]* (any text)", r -> {
            r.putObject("structured_outputs").put("regex", "[\\s\\S]*");
            return r;
        });
        variants.put("json_schema {answer: string}", r -> {
            ObjectNode schema = r.putObject("response_format").put("type", "json_schema").putObject("json_schema")
                    .put("name", "answer").putObject("schema").put("type", "object").put("additionalProperties", false);
            schema.putObject("properties").putObject("answer").put("type", "string");
            schema.putArray("required").add("answer");
            return r;
        });
        return variants;
    }

    void run(CliArgs args, int rounds) throws Exception {
        Map<String, UnaryOperator<ObjectNode>> variants = variants();
        Map<String, Double> bestStepMillis = new LinkedHashMap<>();
        Map<String, Double> bytesPerStep = new LinkedHashMap<>();
        Map<String, Long> tokens = new LinkedHashMap<>();
        out.println(requests.size() + " 16-window requests of " + modelName + " (32 tokens, EOS biased -100) through a"
                + " cluster of 1 worker process, " + rounds + " rounds (best round per variant):");
        try (DistributedBench.Cluster cluster = DistributedBench.Cluster.start(settings, modelDir, modelName, 1, args)) {
            UnaryOperator<ObjectNode> noEos = r -> {
                ObjectNode bias = r.put("max_new_tokens", 32).putObject("logit_bias");
                cluster.eosTokenIds().forEach(id -> bias.put(Integer.toString(id), -100));
                return r;
            };
            variants.replaceAll((name, variant) -> r -> variant.apply(noEos.apply(r)));
            for (var variant : variants.entrySet()) { // warm-up: each constraint compiled once, on both sides
                cluster.generate(variant.getValue().apply(requests.get(0).deepCopy())).get(300, TimeUnit.SECONDS);
            }
            for (int round = 0; round < rounds; round++) {
                for (var variant : variants.entrySet()) {
                    double[] before = cluster.stepBytes();
                    List<Timing> timings = new ArrayList<>();
                    for (ObjectNode r : requests) {
                        timings.add(cluster.generate(variant.getValue().apply(r.deepCopy())).get(300, TimeUnit.SECONDS));
                    }
                    double[] after = cluster.stepBytes();
                    double stepMillis = timings.stream().flatMap(t -> t.gapsNanos().stream()).mapToLong(Long::longValue)
                            .average().orElse(0) / 1e6;
                    bestStepMillis.merge(variant.getKey(), stepMillis, Math::min);
                    bytesPerStep.put(variant.getKey(), (after[1] - before[1]) / Math.max(1, after[0] - before[0]));
                    tokens.put(variant.getKey(), timings.stream().mapToLong(Timing::tokens).sum());
                }
            }
        }
        double base = bestStepMillis.get("unconstrained");
        out.printf("| %-30s | per step, ms | ratio | bytes per step (reports) | tokens |%n", "request");
        out.println("|---|---|---|---|---|");
        for (String name : variants.keySet()) {
            out.printf("| %-30s | %12.2f | %5.3f | %24.0f | %6d |%n", name, bestStepMillis.get(name),
                    bestStepMillis.get(name) / base, bytesPerStep.get(name), tokens.get(name));
        }
    }
}
