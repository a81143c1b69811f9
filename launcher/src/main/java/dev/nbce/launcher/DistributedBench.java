package dev.nbce.launcher;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.gateway.request.GenerationRequest;
import dev.nbce.gateway.request.Json;
import dev.nbce.gateway.request.RequestParser;
import dev.nbce.gateway.service.GatewayLimits;
import dev.nbce.launcher.cluster.ClusterSettings;
import dev.nbce.launcher.cluster.GatewayNode;
import dev.nbce.launcher.cluster.MetricsSetup;
import dev.nbce.launcher.config.Setting;
import dev.nbce.launcher.config.Settings;
import dev.nbce.launcher.config.WorkerOptions;
import dev.nbce.launcher.local.LocalRuntime;
import dev.nbce.launcher.local.ServiceCalls;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * nbce bench --distributed: the cost of distribution. One 16-window request of the demo model,
 * repeated, in-process and through a cluster with 1 and 3 worker processes (time to first token,
 * inter-token latency, tokens/s); then aggregate tokens/s with 1, 8 and 32 concurrent requests.
 */
final class DistributedBench {
    /** Timings of one generation, from submission. */
    record Timing(long firstTokenNanos, List<Long> gapsNanos, int tokens, long totalNanos) {}

    private final PrintStream out;
    private final Settings settings;
    private final Path modelDir;
    private final String modelName;
    private final List<ObjectNode> requests;

    DistributedBench(PrintStream out, Settings settings, Path modelDir, String modelName, List<ObjectNode> requests) {
        this.settings = settings;
        this.out = out;
        this.modelDir = modelDir;
        this.modelName = modelName;
        this.requests = requests;
    }

    /** Requests of {@code windows} windows from the eval cases, or synthetic facts when no file is given. */
    static List<ObjectNode> requests(Path cases, int windows, int count) throws Exception {
        List<ObjectNode> out = new ArrayList<>();
        for (EvalCommand.Case c : EvalCommand.readCases(cases)) {
            if (c.windows() == windows && out.size() < count) {
                ObjectNode r = Json.MAPPER.createObjectNode().put("question", c.question()).put("max_new_tokens", 16);
                c.contexts().forEach(r.putArray("contexts")::add);
                out.add(r);
            }
        }
        if (out.isEmpty()) {
            throw new CliArgs.UsageException(cases + " has no case with " + windows + " windows");
        }
        return out;
    }

    void run(CliArgs args) throws Exception {
        out.println("16-window requests of " + modelName + ", " + requests.size() + " different cases, run one after another:");
        List<Timing> local = inProcess();
        report("in-process", local, null);
        for (int workers : new int[] {1, 3}) {
            try (Cluster cluster = Cluster.start(settings, modelDir, modelName, workers, args)) {
                List<Timing> timings = new ArrayList<>();
                for (ObjectNode r : requests) {
                    timings.add(cluster.generate(r).get(120, TimeUnit.SECONDS));
                }
                report("cluster, " + workers + " worker" + (workers > 1 ? "s" : ""), timings, local);
                if (workers == 3) {
                    out.println("aggregate throughput, 3 workers:");
                    for (int concurrency : new int[] {1, 8, 32}) {
                        long t0 = System.nanoTime();
                        List<CompletableFuture<Timing>> all = new ArrayList<>();
                        for (int i = 0; i < concurrency * 2; i++) {
                            all.add(cluster.generate(requests.get(i % requests.size())));
                        }
                        int tokens = 0;
                        for (CompletableFuture<Timing> f : all) {
                            tokens += f.get(300, TimeUnit.SECONDS).tokens();
                        }
                        double seconds = (System.nanoTime() - t0) / 1e9;
                        out.printf("  %2d concurrent: %3d requests, %5d tokens in %6.2f s = %7.1f tokens/s%n",
                                concurrency, all.size(), tokens, seconds, tokens / seconds);
                    }
                }
            }
        }
    }

    private List<Timing> inProcess() throws Exception {
        List<Timing> timings = new ArrayList<>();
        try (LocalRuntime runtime = new LocalRuntime(settings, modelDir, dev.nbce.worker.model.DeviceSpec.cpu(),
                WorkerOptions.decoder(settings), 1, GatewayLimits.DEFAULT)) {
            runtime.generate(RequestParser.parse(requests.get(0)), t -> { }); // warm-up
            for (ObjectNode r : requests) {
                GenerationRequest request = RequestParser.parse(r);
                TimingRecorder recorder = new TimingRecorder();
                runtime.generate(request, t -> recorder.token());
                timings.add(recorder.done());
            }
        }
        return timings;
    }

    private void report(String name, List<Timing> timings, List<Timing> baseline) {
        double ttft = timings.stream().mapToLong(Timing::firstTokenNanos).average().orElse(0) / 1e6;
        double itl = timings.stream().flatMap(t -> t.gapsNanos().stream()).mapToLong(Long::longValue).average().orElse(0) / 1e6;
        long tokens = timings.stream().mapToLong(Timing::tokens).sum();
        double seconds = timings.stream().mapToLong(Timing::totalNanos).sum() / 1e9;
        String ratio = "";
        if (baseline != null) {
            double baseItl = baseline.stream().flatMap(t -> t.gapsNanos().stream()).mapToLong(Long::longValue).average().orElse(0) / 1e6;
            ratio = String.format("  (step latency x%.2f of in-process)", itl / baseItl);
        }
        out.printf("  %-20s first token %7.1f ms | per step %6.2f ms | %6.1f tokens/s%s%n", name, ttft, itl, tokens / seconds, ratio);
    }

    /** Token arrival times of one generation. */
    static final class TimingRecorder {
        private final long start = System.nanoTime();
        private final List<Long> gaps = new ArrayList<>();
        private long first = -1;
        private long last;
        private int tokens;

        synchronized void token() {
            long now = System.nanoTime();
            if (first < 0) {
                first = now - start;
            } else {
                gaps.add(now - last);
            }
            last = now;
            tokens++;
        }

        synchronized Timing done() {
            return new Timing(first, List.copyOf(gaps), tokens, System.nanoTime() - start);
        }
    }

    /**
     * A gateway in this process plus worker processes; requests go to the gateway's service, as the API's
     * handlers send them, and are timed by the tokens it streams back.
     */
    static final class Cluster implements AutoCloseable {
        private final GatewayNode gateway;
        private final List<Process> workers;
        private final Context context;
        private final MetricsSetup metrics;

        private Cluster(GatewayNode gateway, List<Process> workers, MetricsSetup metrics) {
            this.gateway = gateway;
            this.workers = workers;
            this.metrics = metrics;
            this.context = gateway.vertx().getOrCreateContext();
        }

        /** The served model's end-of-sequence ids. */
        List<Integer> eosTokenIds() {
            return gateway.backend().service().preparer().model().eosTokenIds();
        }

        /** Steps reported to the gateway so far and the event-bus bytes they took, in that order. */
        double[] stepBytes() {
            var summary = metrics.registry().find("nbce.step").summary();
            return summary == null ? new double[] {0, 0} : new double[] {summary.count(), summary.totalAmount()};
        }

        static Cluster start(Settings settings, Path modelDir, String modelName, int workers, CliArgs args) throws Exception {
            int seed = ClusterSettings.freeSeedPort();
            Settings env = settings.with(Setting.CLUSTER_NAME, "nbce-bench-" + UUID.randomUUID().toString().substring(0, 8))
                    .with(Setting.CLUSTER_PORT, Integer.toString(seed))
                    .with(Setting.CLUSTER_MEMBERS, ClusterSettings.LOOPBACK + ":" + seed);
            MetricsSetup metrics = new MetricsSetup();
            Vertx vertx = ClusterSettings.from(env).startVertx(metrics).toCompletionStage().toCompletableFuture()
                    .get(120, TimeUnit.SECONDS);
            GatewayNode gateway = GatewayNode.start(vertx, metrics, modelDir, modelName, env, "127.0.0.1", 0);
            List<Process> processes = new ArrayList<>();
            // Worker processes must not outlive an interrupted benchmark.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> processes.forEach(Process::destroyForcibly)));
            for (int i = 0; i < workers; i++) {
                processes.add(ServeCommand.startWorker(env, modelDir, modelName, args, i));
            }
            gateway.awaitWorkers(workers, 180_000);
            Cluster cluster = new Cluster(gateway, processes, metrics);
            cluster.generate(Json.MAPPER.createObjectNode().put("question", "warm up").put("max_new_tokens", 4))
                    .get(60, TimeUnit.SECONDS);
            return cluster;
        }

        CompletableFuture<Timing> generate(ObjectNode request) {
            TimingRecorder recorder = new TimingRecorder();
            return ServiceCalls.submit(context, gateway.backend().service(), RequestParser.parse(request), t -> recorder.token())
                    .thenApply(result -> recorder.done());
        }

        @Override
        public void close() throws Exception {
            workers.forEach(Process::destroy);
            for (Process p : workers) {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            gateway.close();
        }
    }
}
