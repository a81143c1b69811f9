package dev.nbce.launcher;

import dev.nbce.launcher.cluster.ClusterSettings;
import dev.nbce.launcher.cluster.ClusterTls;
import dev.nbce.launcher.cluster.EphemeralCertificates;
import dev.nbce.launcher.cluster.GatewayNode;
import dev.nbce.launcher.cluster.MetricsSetup;
import dev.nbce.launcher.config.Setting;
import dev.nbce.launcher.config.Settings;
import io.vertx.core.Vertx;
import java.io.File;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * nbce serve: the main job on one machine — this process is the gateway, and N worker processes
 * join it over a loopback cluster with a name of its own (so several serves never mix). The event bus
 * runs mutual TLS with a CA made for this run (unless NBCE_CLUSTER_TLS_* are given): another local
 * process that guesses the cluster name still cannot read or send a message.
 */
final class ServeCommand implements Main.Command {
    @Override
    public String summary() {
        return "gateway + N worker processes on this machine, demo model by default ([--model DIR] [--workers N] [--port P])";
    }

    @Override
    public int run(List<String> argv, Settings settings, PrintStream out, PrintStream err) throws Exception {
        CliArgs args = CliArgs.parse(argv, Set.of("model", "workers", "port", "host", "device", "worker-heap"), Set.of());
        int workers = args.integer("workers", 1, 1, 64);
        int port = args.integer("port", settings.integer(Setting.PORT), 0, 65535);
        String host = args.get("host", settings.text(Setting.HOST));
        Path modelDir = ModelArgs.modelDir(args, settings);
        String modelName = ModelArgs.modelName(args, settings);

        Settings serve = settings.withDefault(Setting.CLUSTER_NAME, "nbce-serve-" + UUID.randomUUID().toString().substring(0, 8));
        if (!serve.isSet(Setting.CLUSTER_MEMBERS)) {
            // A private seed port, so this cluster never meets another serve or test on the machine.
            int seed = ClusterSettings.freeSeedPort();
            serve = serve.with(Setting.CLUSTER_PORT, Integer.toString(seed))
                    .with(Setting.CLUSTER_MEMBERS, ClusterSettings.LOOPBACK + ":" + seed);
        }
        Path certificates = null;
        if (ClusterTls.from(serve) == null) {
            certificates = EphemeralCertificates.create();
            serve = serve.with(EphemeralCertificates.member(certificates).environment());
        }
        Path certDir = certificates;
        MetricsSetup metrics = new MetricsSetup();
        Vertx vertx = ClusterSettings.from(serve).startVertx(metrics)
                .toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
        GatewayNode node = GatewayNode.start(vertx, metrics, modelDir, modelName, serve, host, port);

        List<Process> children = new ArrayList<>();
        Duration grace = Duration.ofSeconds(serve.integer(Setting.DRAIN_SECONDS));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopAll(children, node, grace);
            EphemeralCertificates.delete(certDir);
        }, "nbce-serve-stop"));
        for (int i = 0; i < workers; i++) {
            children.add(startWorker(serve, modelDir, modelName, args, i));
        }
        node.awaitWorkers(workers, 180_000);
        out.printf("NBCE chat ready: http://%s:%d/  (model %s, %d worker%s; Ctrl-C stops)%n",
                host.equals("0.0.0.0") ? "127.0.0.1" : host, node.port(), modelName, workers, workers == 1 ? "" : "s");
        out.flush();
        return Main.KEEP_RUNNING;
    }

    /** @param env the settings the worker process gets as its environment */
    static Process startWorker(Settings env, Path modelDir, String modelName, CliArgs args, int index)
            throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xms64m");
        command.add("-Xmx" + args.get("worker-heap", "1g"));
        command.add("-XX:+ExitOnOutOfMemoryError");
        command.add("-Dai.djl.offline=true");
        command.addAll(moduleAccessFlags());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.add("worker");
        command.add("--model");
        command.add(modelDir.toString());
        command.add("--id");
        command.add("worker-" + index + "-" + UUID.randomUUID().toString().substring(0, 4));
        command.add("--device");
        command.add(args.get("device", "auto"));
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().putAll(env.environment());
        builder.environment().put("DJL_OFFLINE", "true");
        // The gateway's metrics port, if one is set, is the gateway's: workers pick theirs from 9100.
        builder.environment().remove(Setting.METRICS_PORT.variable());
        // A private cluster's worker metrics stay on this machine unless asked otherwise.
        builder.environment().putIfAbsent(Setting.METRICS_HOST.variable(), ClusterSettings.LOOPBACK);
        // The worker announces the model under the gateway's name even for a copied directory.
        builder.environment().put(Setting.MODEL_NAME.variable(), modelName);
        // A worker ends with this process, even one killed with SIGKILL (its shutdown hook never runs).
        builder.environment().put(ParentWatch.PARENT_PID_ENV, Long.toString(ProcessHandle.current().pid()));
        builder.directory(new File(System.getProperty("user.dir")));
        return builder.start();
    }

    private static void stopAll(List<Process> children, GatewayNode node, Duration grace) {
        // The gateway drains first, while its workers can still finish the streams in flight.
        try {
            node.drainAndClose(grace);
        } catch (Exception ignored) {
            // exiting anyway
        }
        children.forEach(Process::destroy);
        for (Process child : children) {
            try {
                if (!child.waitFor(20, TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The --add-opens / --add-exports / --add-modules this JVM got from bin/nbce, so the workers start as quietly. */
    private static List<String> moduleAccessFlags() {
        return java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("--add-exports") || a.startsWith("--add-modules"))
                .toList();
    }
}
