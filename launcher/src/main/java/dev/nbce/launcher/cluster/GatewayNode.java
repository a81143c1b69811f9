package dev.nbce.launcher.cluster;

import dev.nbce.gateway.http.GatewayVerticle;
import dev.nbce.gateway.service.GatewayLimits;
import dev.nbce.gateway.service.ModelPromptPreparer;
import dev.nbce.launcher.config.GatewayOptions;
import dev.nbce.launcher.config.Setting;
import dev.nbce.launcher.config.Settings;
import dev.nbce.launcher.tracing.Tracing;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A running gateway on a clustered Vert.x: HTTP server plus cluster backend. */
public final class GatewayNode implements AutoCloseable {
    /** The service name of a gateway's spans unless OTEL_SERVICE_NAME says otherwise. */
    public static final String SERVICE_NAME = "nbce-gateway";

    private final Vertx vertx;
    private final GatewayVerticle verticle;
    private final ModelPromptPreparer preparer;
    private final HttpServer metricsServer;
    private final Tracing tracing;

    private GatewayNode(Vertx vertx, GatewayVerticle verticle, ModelPromptPreparer preparer, HttpServer metricsServer,
                        Tracing tracing) {
        this.tracing = tracing;
        this.vertx = vertx;
        this.verticle = verticle;
        this.preparer = preparer;
        this.metricsServer = metricsServer;
    }

    /** The port of /metrics: its own server's with NBCE_METRICS_PORT, else the API port. */
    public int metricsPort() {
        return metricsServer != null ? metricsServer.actualPort() : port();
    }

    /**
     * Deploys the gateway on {@code vertx} (already clustered) and waits until it listens. With
     * NBCE_METRICS_PORT set, /metrics moves off the API port to a server of its own on that port
     * (NBCE_METRICS_HOST binds it), so the API port exposes nothing operational. The OTEL_* settings turn tracing
     * on (docs/operations.md: Tracing), as service nbce-gateway.
     */
    public static GatewayNode start(Vertx vertx, MetricsSetup metrics, Path modelDir, String modelName,
                                    Settings settings, String host, int port) throws Exception {
        boolean ownPort = settings.isSet(Setting.METRICS_PORT);
        HttpServer metricsServer = ownPort ? MetricsServer.start(vertx, metrics, settings.text(Setting.METRICS_HOST),
                settings.integer(Setting.METRICS_PORT), () -> null) : null;
        ModelPromptPreparer preparer = ModelPromptPreparer.load(modelDir, modelName, GatewayOptions.windowTokens(settings),
                GatewayOptions.toolCallParser(settings));
        GatewayLimits limits = GatewayOptions.limits(settings);
        ClusterBackend.Timeouts timeouts = ClusterBackend.Timeouts.from(settings);
        Tracing tracing = Tracing.from(settings, SERVICE_NAME);
        // The HTTP API over the cluster backend (worker registry, event-bus executor), built on the verticle's context.
        GatewayVerticle verticle = new GatewayVerticle(
                v -> new ClusterBackend(v, preparer, limits, timeouts, metrics.registry(), tracing),
                GatewayOptions.http(settings), ownPort ? null : metrics::scrape, host, port);
        vertx.deployVerticle(verticle).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        return new GatewayNode(vertx, verticle, preparer, metricsServer, tracing);
    }

    public int port() {
        return verticle.actualPort();
    }

    public Vertx vertx() {
        return vertx;
    }

    public ClusterBackend backend() {
        return (ClusterBackend) verticle.backend();
    }

    /** Waits until at least {@code workers} workers have announced themselves. */
    public void awaitWorkers(int workers, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            if (countLive() >= workers) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("only " + countLive() + " of " + workers + " workers joined within "
                + timeoutMillis + " ms");
    }

    private int countLive() {
        return backend().registry().liveCount();
    }

    /**
     * SIGTERM behaviour: readiness off and new requests refused at once, in-flight generations finish
     * for up to {@code grace} (the rest end with the retryable shutting_down), then the workers are told
     * to free this gateway's rows and the node leaves the cluster.
     */
    public void drainAndClose(Duration grace) throws Exception {
        try {
            backend().service().drain(grace).toCompletionStage().toCompletableFuture()
                    .get(grace.toMillis() + 10_000, TimeUnit.MILLISECONDS);
            backend().leave().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } finally {
            close();
        }
    }

    @Override
    public void close() throws Exception {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            preparer.close();
        } finally {
            tracing.close();
        }
    }
}
