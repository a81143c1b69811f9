package dev.nbce.launcher;

import dev.nbce.launcher.cluster.ClusterSettings;
import dev.nbce.launcher.cluster.WorkerNode;
import dev.nbce.worker.EngineWatchdog;
import dev.nbce.worker.engine.EngineLimits;
import dev.nbce.worker.engine.KvCacheSize;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** nbce worker: joins the cluster and serves rows of the model until stopped (SIGTERM drains first). */
final class WorkerCommand implements Main.Command {
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
    private static Integer configuredMetricsPort(CliArgs args) {
        String env = System.getenv("NBCE_METRICS_PORT");
        if (args.has("metrics-port")) {
            return args.integer("metrics-port", 0, 0, 65535);
        }
        if (env == null || env.isBlank()) {
            return null;
        }
        try {
            int port = Integer.parseInt(env.trim());
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("NBCE_METRICS_PORT must be a port number 0..65535, got '" + env + "'");
    }

    /** --kv-cache-bytes, else NBCE_KV_CACHE_BYTES; else the device's share (--gpu-memory-utilization, else its variable). */
    private static KvCacheSize kvCacheSize(CliArgs args) {
        boolean bytesFlag = args.has("kv-cache-bytes");
        boolean shareFlag = args.has("gpu-memory-utilization");
        return KvCacheSize.parse(
                bytesFlag ? args.get("kv-cache-bytes") : System.getenv(KvCacheSize.BYTES_ENV),
                bytesFlag ? "--kv-cache-bytes" : KvCacheSize.BYTES_ENV,
                shareFlag ? args.get("gpu-memory-utilization") : System.getenv(KvCacheSize.GPU_UTILIZATION_ENV),
                shareFlag ? "--gpu-memory-utilization" : KvCacheSize.GPU_UTILIZATION_ENV);
    }

    @Override
    public int run(List<String> argv, PrintStream out, PrintStream err) throws Exception {
        CliArgs args = CliArgs.parse(argv, Set.of("model", "device", "dtype", "prefill-chunk-tokens", "metrics-port", "capacity",
                "kv-cache-bytes", "gpu-memory-utilization", "id"), Set.of());
        Integer metricsPort = configuredMetricsPort(args);
        EngineLimits defaults = EngineLimits.DEFAULT;
        EngineLimits limits = new EngineLimits(args.integer("capacity", defaults.capacityRows(), 1, 1 << 20),
                defaults.maxBatchTokens(), defaults.maxAttentionCells(), defaults.batchWaitNanos(), kvCacheSize(args));
        String workerId = args.get("id", "worker-" + UUID.randomUUID().toString().substring(0, 8));
        WorkerNode node = WorkerNode.start(ClusterSettings.fromEnvironment(System.getenv()), ModelArgs.modelDir(args),
                ModelArgs.modelName(args), ModelArgs.device(args), ModelArgs.decoderOptions(args), limits, workerId, metricsPort,
                EngineWatchdog.stallMillisFromEnvironment(System.getenv()), (rows, tokens, nanos) -> { });

        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.drainAndClose(15_000);
                err.println("nbce worker " + workerId + ": drained and left the cluster");
            } catch (Exception e) {
                err.println("nbce worker " + workerId + ": shutdown: " + Main.oneLine(e));
            }
        }, "nbce-drain"));
        ParentWatch.start(System.getenv(), err, "nbce worker " + workerId);
        out.printf("nbce worker %s ready: model %s on %s, %d rows, KV cache %,d tokens (%s), metrics %s (bound %s)%n",
                workerId, ModelArgs.modelName(args), describe(node.decoder().device()), limits.capacityRows(),
                node.engine().capacityTokens(), node.engine().kvBudget().source(), node.metricsUrl(), node.metricsBinding());
        out.flush();
        return Main.KEEP_RUNNING;
    }
}
