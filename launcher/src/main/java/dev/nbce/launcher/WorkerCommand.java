package dev.nbce.launcher;

import dev.nbce.launcher.cluster.ClusterSettings;
import dev.nbce.launcher.cluster.WorkerNode;
import dev.nbce.launcher.config.Setting;
import dev.nbce.launcher.config.Settings;
import dev.nbce.launcher.config.WorkerOptions;
import dev.nbce.launcher.tracing.Tracing;
import dev.nbce.worker.engine.EngineLimits;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** nbce worker: joins the cluster and serves rows of the model until stopped (SIGTERM drains first). */
final class WorkerCommand implements Main.Command {
    /** How long a terminated worker waits for the gateways to move its rows before it leaves anyway. */
    private static final long DRAIN_MILLIS = 15_000;

    @Override
    public String summary() {
        return "serve rows in the cluster ([--model DIR] [--device auto|cpu|gpu[:N]] [--dtype auto|f32|f16|bf16] [--prefill-chunk-tokens N] [--metrics-port P] [--capacity ROWS] [--kv-cache-bytes N] [--gpu-memory-utilization F] [--id ID])";
    }

    /** "cpu float32", "gpu:1 float16". */
    private static String describe(dev.nbce.worker.model.ComputeDevice device) {
        String where = device.device().isGpu() ? "gpu:" + device.device().getDeviceId() : "cpu";
        return where + " " + device.dtype();
    }

    /** --metrics-port, else NBCE_METRICS_PORT, else null: the first free port from 9100. */
    private static Integer configuredMetricsPort(CliArgs args, Settings settings) {
        if (args.has("metrics-port")) {
            return args.integer("metrics-port", 0, 0, 65535);
        }
        return settings.isSet(Setting.METRICS_PORT) ? settings.integer(Setting.METRICS_PORT) : null;
    }

    @Override
    public int run(List<String> argv, Settings settings, PrintStream out, PrintStream err) throws Exception {
        CliArgs args = CliArgs.parse(argv, Set.of("model", "device", "dtype", "prefill-chunk-tokens", "metrics-port", "capacity",
                "kv-cache-bytes", "gpu-memory-utilization", "id"), Set.of());
        Integer metricsPort = configuredMetricsPort(args, settings);
        EngineLimits defaults = EngineLimits.DEFAULT;
        EngineLimits limits = new EngineLimits(args.integer("capacity", defaults.capacityRows(), 1, 1 << 20),
                defaults.maxBatchTokens(), defaults.maxAttentionCells(), defaults.batchWaitNanos(),
                WorkerOptions.kvCache(settings, args.get("kv-cache-bytes"), args.get("gpu-memory-utilization")));
        String workerId = args.get("id", "worker-" + UUID.randomUUID().toString().substring(0, 8));
        WorkerNode node = WorkerNode.start(ClusterSettings.from(settings), ModelArgs.modelDir(args, settings),
                ModelArgs.modelName(args, settings), ModelArgs.device(args), ModelArgs.decoderOptions(args, settings),
                WorkerOptions.prefixCache(settings), limits, workerId, settings.text(Setting.METRICS_HOST), metricsPort,
                WorkerOptions.stallMillis(settings), (rows, tokens, nanos) -> { }, null,
                Tracing.from(settings, WorkerNode.SERVICE_NAME));

        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                // Within the pods' grace period (deploy/k8s: 60 s) with room for the close after it.
                int left = node.drainAndClose(DRAIN_MILLIS);
                err.println(left == 0 ? "nbce worker " + workerId + ": drained and left the cluster (no rows left)"
                        : "nbce worker " + workerId + ": left the cluster with " + left + " rows not moved after "
                        + DRAIN_MILLIS / 1000 + " s");
            } catch (Exception e) {
                err.println("nbce worker " + workerId + ": shutdown: " + Main.oneLine(e));
            }
        }, "nbce-drain"));
        ParentWatch.start(settings, err, "nbce worker " + workerId);
        out.printf("nbce worker %s ready: model %s on %s, %d rows, KV cache %,d tokens (%s), metrics %s (bound %s)%n",
                workerId, ModelArgs.modelName(args, settings), describe(node.decoder().device()), limits.capacityRows(),
                node.engine().capacityKvTokens(), node.engine().kvBudget().source(), node.metricsUrl(), node.metricsBinding());
        out.flush();
        return Main.KEEP_RUNNING;
    }
}
