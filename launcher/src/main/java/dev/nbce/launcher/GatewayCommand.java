package dev.nbce.launcher;

import dev.nbce.launcher.cluster.ClusterSettings;
import dev.nbce.launcher.cluster.GatewayNode;
import dev.nbce.launcher.cluster.MetricsSetup;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** nbce gateway: the HTTP/WebSocket front that joins the cluster and drives workers. */
final class GatewayCommand implements Main.Command {
    @Override
    public String summary() {
        return "serve the HTTP/WebSocket API over cluster workers ([--model DIR] [--port P] [--host H])";
    }

    /** NBCE_DRAIN_SECONDS: how long in-flight generations may finish after SIGTERM (default 30). */
    static int drainSeconds(Map<String, String> env) {
        String value = env.getOrDefault("NBCE_DRAIN_SECONDS", "30").strip();
        try {
            int seconds = Integer.parseInt(value);
            if (seconds >= 0) {
                return seconds;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("NBCE_DRAIN_SECONDS must be a whole number of seconds >= 0, got '" + value + "'");
    }

    @Override
    public int run(List<String> argv, PrintStream out, PrintStream err) throws Exception {
        CliArgs args = CliArgs.parse(argv, Set.of("model", "port", "host"), Set.of());
        int port = args.integer("port", Integer.parseInt(System.getenv().getOrDefault("NBCE_PORT", "8080")), 0, 65535);
        String host = args.get("host", System.getenv().getOrDefault("NBCE_HOST", "127.0.0.1"));
        Duration grace = Duration.ofSeconds(drainSeconds(System.getenv()));
        MetricsSetup metrics = new MetricsSetup();
        Vertx vertx = ClusterSettings.fromEnvironment(System.getenv()).startVertx(metrics)
                .toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
        GatewayNode node = GatewayNode.start(vertx, metrics, ModelArgs.modelDir(args), ModelArgs.modelName(args),
                System.getenv(), host, port);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            err.println("nbce gateway: draining (up to " + grace.toSeconds() + " s)");
            int left = node.backend().service().inFlight();
            try {
                node.drainAndClose(grace);
                err.println("nbce gateway: drained (" + left + " requests were in flight) and left the cluster");
            } catch (Exception e) {
                err.println("nbce gateway: shutdown: " + Main.oneLine(e));
            }
        }, "nbce-drain"));
        out.printf("nbce gateway listening on http://%s:%d/ (model %s)%n", host, node.port(), ModelArgs.modelName(args));
        out.flush();
        return Main.KEEP_RUNNING;
    }
}
