package dev.nbce.launcher;

import dev.nbce.launcher.cluster.ClusterSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A `nbce worker` in a process of its own, joined to a test cluster: killable with SIGKILL or SIGTERM. */
public final class WorkerProcess extends NodeProcess {
    private final String workerId;

    private WorkerProcess(Process process, Path log, String workerId) {
        super(process, log);
        this.workerId = workerId;
    }

    /** A worker with an ephemeral metrics port. */
    public static WorkerProcess start(ClusterSettings cluster, Path model, String modelName, String workerId) throws IOException {
        return start(cluster, model, modelName, workerId, List.of("--metrics-port", "0"), Map.of());
    }

    /** A worker with extra command-line arguments and environment (e.g. no metrics port at all: the default). */
    public static WorkerProcess start(ClusterSettings cluster, Path model, String modelName, String workerId,
                                      List<String> extraArgs, Map<String, String> extraEnv) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Dai.djl.offline=true", "--add-modules=jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"),
                "dev.nbce.launcher.Main", "worker",
                "--model", model.toString(), "--id", workerId, "--device", "cpu"));
        command.addAll(extraArgs);
        Path log = Files.createTempFile("nbce-" + workerId, ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().remove("NBCE_METRICS_PORT");
        builder.environment().putAll(extraEnv);
        builder.environment().put("NBCE_CLUSTER_NAME", cluster.clusterName());
        builder.environment().put("NBCE_CLUSTER_MEMBERS", String.join(",", cluster.members()));
        builder.environment().put("NBCE_CLUSTER_PORT", Integer.toString(cluster.port()));
        builder.environment().put("NBCE_MODEL_NAME", modelName);
        builder.environment().put("DJL_OFFLINE", "true");
        builder.environment().keySet().removeIf(k -> k.startsWith("NBCE_CLUSTER_TLS_"));
        if (cluster.tls() != null) {
            builder.environment().putAll(cluster.tls().environment());
        }
        return new WorkerProcess(builder.start(), log, workerId);
    }

    public String workerId() {
        return workerId;
    }
}
