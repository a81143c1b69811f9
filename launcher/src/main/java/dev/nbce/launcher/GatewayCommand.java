package dev.nbce.launcher;

import dev.nbce.launcher.cluster.ClusterSettings;
import dev.nbce.launcher.cluster.GatewayNode;
import dev.nbce.launcher.cluster.MetricsSetup;
import dev.nbce.launcher.config.Setting;
import dev.nbce.launcher.config.Settings;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** nbce gateway: the HTTP/WebSocket front that joins the cluster and drives workers. */
final class GatewayCommand implements Main.Command {
    @Override
    public String summary() {
        return "serve the HTTP/WebSocket API over cluster workers ([--model DIR] [--port P] [--host H])";
    }

    @Override
    public int run(List<String> argv, Settings settings, PrintStream out, PrintStream err) throws Exception {
        CliArgs args = CliArgs.parse(argv, Set.of("model", "port", "host"), Set.of());
        int port = args.integer("port", settings.integer(Setting.PORT), 0, 65535);
        String host = args.get("host", settings.text(Setting.HOST));
        Duration grace = Duration.ofSeconds(settings.integer(Setting.DRAIN_SECONDS));
        MetricsSetup metrics = new MetricsSetup();
        Vertx vertx = ClusterSettings.from(settings).startVertx(metrics)
                .toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
        GatewayNode node = GatewayNode.start(vertx, metrics, ModelArgs.modelDir(args, settings), ModelArgs.modelName(args, settings),
                settings, host, port);
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
        out.printf("nbce gateway listening on http://%s:%d/ (model %s)%n", host, node.port(), ModelArgs.modelName(args, settings));
        out.flush();
        return Main.KEEP_RUNNING;
    }
}
