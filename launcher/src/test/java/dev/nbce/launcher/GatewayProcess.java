package dev.nbce.launcher;

import dev.nbce.common.testing.Http;
import dev.nbce.launcher.cluster.ClusterSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A `nbce gateway` in a process of its own, joined to a test cluster: killable with SIGKILL, drained by SIGTERM. */
public final class GatewayProcess extends NodeProcess {
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)/");

    private final String baseUrl;

    private GatewayProcess(Process process, Path log, String baseUrl) {
        super(process, log);
        this.baseUrl = baseUrl;
    }

    /** Starts a gateway on an ephemeral HTTP port and waits until it listens and {@code /ready} says 200. */
    public static GatewayProcess start(ClusterSettings cluster, Path model, String modelName, Map<String, String> env)
            throws Exception {
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:+UseSerialGC", "-Dai.djl.offline=true",
                "-cp", System.getProperty("java.class.path"),
                "dev.nbce.launcher.Main", "gateway", "--model", model.toString(), "--port", "0", "--host", "127.0.0.1");
        Path log = Files.createTempFile("nbce-gateway", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> all = new HashMap<>(env);
        all.put("NBCE_CLUSTER_NAME", cluster.clusterName());
        all.put("NBCE_CLUSTER_MEMBERS", String.join(",", cluster.members()));
        all.put("NBCE_CLUSTER_PORT", Integer.toString(cluster.port()));
        all.put("NBCE_MODEL_NAME", modelName);
        all.put("DJL_OFFLINE", "true");
        builder.environment().putAll(all);
        Process process = builder.start();
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline && process.isAlive()) {
            Matcher m = LISTENING.matcher(Files.readString(log));
            if (m.find()) {
                GatewayProcess gateway = new GatewayProcess(process, log, "http://127.0.0.1:" + m.group(1));
                gateway.awaitReady(deadline);
                return gateway;
            }
            Thread.sleep(100);
        }
        process.destroyForcibly();
        throw new IllegalStateException("gateway did not start:\n" + Files.readString(log));
    }

    private void awaitReady(long deadline) throws Exception {
        while (System.currentTimeMillis() < deadline) {
            if (readyStatus() == 200) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("gateway never became ready:\n" + log());
    }

    public String baseUrl() {
        return baseUrl;
    }

    public int readyStatus() {
        try {
            return Http.get(baseUrl + "/ready").statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
