package dev.nbce.gateway.cli;

import dev.nbce.worker.cluster.ClusterSettings;
import dev.nbce.worker.engine.EngineLimits;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** nbce worker: joins the cluster and serves rows of the model until stopped (SIGTERM drains first). */
final class WorkerCommand implements Main.Command {
    @Override
    public String summary() {
        return "serve rows in the cluster ([--model DIR] [--device auto|cpu|gpu[:N]] [--dtype auto|f32|f16|bf16] [--prefill-chunk-tokens N] [--metrics-port P] [--capacity ROWS] [--id ID])";
    }

    @Override
    public int run(List<String> argv, PrintStream out, PrintStream err) throws Exception {
        CliArgs args = CliArgs.parse(argv, Set.of("model", "device", "dtype", "prefill-chunk-tokens", "metrics-port", "capacity", "id"), Set.of());
        int metricsPort = args.integer("metrics-port",
                Integer.parseInt(System.getenv().getOrDefault("NBCE_METRICS_PORT", "9100")), 0, 65535);
        EngineLimits defaults = EngineLimits.DEFAULT;
        EngineLimits limits = new EngineLimits(args.integer("capacity", defaults.capacityRows(), 1, 1 << 20),
                defaults.maxBatchTokens(), defaults.maxAttentionCells(), defaults.batchWaitNanos());
        String workerId = args.get("id", "worker-" + UUID.randomUUID().toString().substring(0, 8));
        WorkerNode node = WorkerNode.start(ClusterSettings.fromEnvironment(System.getenv()), ModelArgs.modelDir(args),
                ModelArgs.modelName(args), ModelArgs.device(args), ModelArgs.decoderOptions(args), limits, workerId, metricsPort);

        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.drainAndClose(15_000);
                err.println("nbce worker " + workerId + ": drained and left the cluster");
            } catch (Exception e) {
                err.println("nbce worker " + workerId + ": shutdown: " + Main.oneLine(e));
            }
        }, "nbce-drain"));
        out.printf("nbce worker %s ready: model %s on %s, %d rows, metrics http://127.0.0.1:%d/metrics%n",
                workerId, ModelArgs.modelName(args), node.decoder().device(), limits.capacityRows(), node.metricsPort());
        out.flush();
        return Main.KEEP_RUNNING;
    }
}
