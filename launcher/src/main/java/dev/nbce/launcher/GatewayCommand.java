package dev.nbce.launcher;

import dev.nbce.launcher.cluster.ClusterSettings;
import dev.nbce.launcher.cluster.GatewayNode;
import dev.nbce.launcher.cluster.MetricsSetup;
import io.vertx.core.Vertx;
import java.io.PrintStream;
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
    public int run(List<String> argv, PrintStream out, PrintStream err) throws Exception {
        CliArgs args = CliArgs.parse(argv, Set.of("model", "port", "host"), Set.of());
        int port = args.integer("port", Integer.parseInt(System.getenv().getOrDefault("NBCE_PORT", "8080")), 0, 65535);
        String host = args.get("host", System.getenv().getOrDefault("NBCE_HOST", "127.0.0.1"));
        MetricsSetup metrics = new MetricsSetup();
        Vertx vertx = ClusterSettings.fromEnvironment(System.getenv()).startVertx(metrics)
                .toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
        GatewayNode node = GatewayNode.start(vertx, metrics, ModelArgs.modelDir(args), ModelArgs.modelName(args),
                System.getenv(), host, port);
        out.printf("nbce gateway listening on http://%s:%d/ (model %s)%n", host, node.port(), ModelArgs.modelName(args));
        out.flush();
        return Main.KEEP_RUNNING;
    }
}
