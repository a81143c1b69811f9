package dev.nbce.launcher;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.wire.ShardStep;
import dev.nbce.common.wire.WireMeter;
import dev.nbce.gateway.service.RequestObserver;
import dev.nbce.gateway.service.RequestOrigin;
import dev.nbce.gateway.service.ServiceObserver;
import dev.nbce.gateway.session.SessionListener;
import dev.nbce.launcher.config.Settings;
import dev.nbce.launcher.tracing.TracedService;
import dev.nbce.launcher.tracing.Tracing;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * nbce bench --tracing: what tracing costs a decode step. Two clusters run side by side in this run, each a gateway
 * here and one worker process: one untraced, one traced at the default sampling (every request) exporting OTLP
 * (http/protobuf) to a sink in this process that accepts everything. The same requests alternate between them, round
 * after round; each round's per-step time is the mean gap between streamed tokens. The smaller the model, the larger
 * tracing's share of a step: a tiny model (the test fixture tiny-llama) gives the upper bound.
 */
final class TracingBench {
    private static final int MAX_NEW_TOKENS = 64;

    private TracingBench() {}

    static void run(PrintStream out, Settings settings, Path modelDir, String modelName, List<ObjectNode> requests,
                    int rounds, CliArgs args) throws Exception {
        Vertx sinkVertx = Vertx.vertx();
        HttpServer sink = sinkVertx.createHttpServer()
                .requestHandler(request -> request.body().onComplete(body -> request.response().setStatusCode(200).end()))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        Settings traced = settings.with(Map.of("OTEL_TRACES_EXPORTER", "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf",
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + sink.actualPort()));
        // Long answers: many steps per request (a model that ends early at EOS gives few).
        requests = requests.stream().map(r -> r.deepCopy().put("max_new_tokens", MAX_NEW_TOKENS)).toList();
        out.println(requests.size() + " requests of " + modelName + " (up to " + MAX_NEW_TOKENS + " tokens) per round,"
                + " alternating between an untraced and a traced cluster (1 worker each), " + rounds + " rounds:");
        try (DistributedBench.Cluster off = DistributedBench.Cluster.start(settings, modelDir, modelName, 1, args);
             DistributedBench.Cluster on = DistributedBench.Cluster.start(traced, modelDir, modelName, 1, args)) {
            double bestOff = Double.MAX_VALUE;
            double bestOn = Double.MAX_VALUE;
            List<Double> pairRatios = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                List<Long> gapsOff = new ArrayList<>();
                List<Long> gapsOn = new ArrayList<>();
                for (int i = 0; i < requests.size(); i++) {
                    // Which cluster goes first alternates, so neither always follows the other's work.
                    boolean offFirst = (round + i) % 2 == 0;
                    DistributedBench.Cluster first = offFirst ? off : on;
                    DistributedBench.Cluster second = offFirst ? on : off;
                    List<Long> firstGaps = first.generate(requests.get(i)).get(120, TimeUnit.SECONDS).gapsNanos();
                    List<Long> secondGaps = second.generate(requests.get(i)).get(120, TimeUnit.SECONDS).gapsNanos();
                    (offFirst ? gapsOff : gapsOn).addAll(firstGaps);
                    (offFirst ? gapsOn : gapsOff).addAll(secondGaps);
                    double ratio = meanMillis(secondGaps) / meanMillis(firstGaps);
                    pairRatios.add(offFirst ? ratio : 1 / ratio);
                }
                double stepOff = meanMillis(gapsOff);
                double stepOn = meanMillis(gapsOn);
                bestOff = Math.min(bestOff, stepOff);
                bestOn = Math.min(bestOn, stepOn);
                out.printf("  round %d: per step %6.3f ms untraced, %6.3f ms traced (x%.3f)%n", round + 1, stepOff, stepOn,
                        stepOn / stepOff);
            }
            out.printf("best of %d rounds: per step %6.3f ms untraced, %6.3f ms traced: x%.3f%n", rounds, bestOff, bestOn,
                    bestOn / bestOff);
            // The same request run back to back on both: slow drifts of a shared machine cancel out.
            List<Double> sorted = pairRatios.stream().sorted().toList();
            out.printf("median of %d back-to-back pairs: traced/untraced per step x%.3f%n", sorted.size(),
                    sorted.get(sorted.size() / 2));
            hookCost(out, traced);
        } finally {
            sinkVertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /** Tracing's own work per step, alone: a traced request's step hooks and its reply count, called in a loop. */
    private static void hookCost(PrintStream out, Settings traced) {
        try (Tracing tracing = Tracing.from(traced, "nbce-bench")) {
            TracedService service = new TracedService(ServiceObserver.NONE, tracing);
            WireMeter meter = service.meter();
            int steps = 2_000_000;
            long best = Long.MAX_VALUE;
            for (int run = 0; run < 5; run++) {
                RequestObserver request = service.admitted("bench-" + run, RequestOrigin.INTERNAL);
                SessionListener listener = request.wrap(SessionListener.NONE);
                ShardStep reply = new ShardStep("bench-" + run, 0, null);
                long t0 = System.nanoTime();
                for (int step = 0; step < steps; step++) {
                    meter.received(reply, 100);
                    listener.onStep(step, 0);
                    listener.onDecode(17);
                }
                best = Math.min(best, System.nanoTime() - t0);
                request.ended(null, new IllegalStateException("bench"));
            }
            out.printf("tracing's hooks alone: %.0f ns per step (best of 5 runs of %,d steps)%n", (double) best / steps, steps);
        }
    }

    private static double meanMillis(List<Long> nanos) {
        return nanos.stream().mapToLong(Long::longValue).average().orElse(0) / 1e6;
    }
}
