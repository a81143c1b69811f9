package dev.nbce.launcher.cluster;

import dev.nbce.gateway.cluster.ClusterBackend;
import dev.nbce.gateway.http.GatewayVerticle;
import dev.nbce.gateway.service.GatewayLimits;
import dev.nbce.gateway.service.ModelPromptPreparer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A running gateway on a clustered Vert.x: HTTP server plus cluster backend. */
public final class GatewayNode implements AutoCloseable {
    private final Vertx vertx;
    private final GatewayVerticle verticle;
    private final ModelPromptPreparer preparer;
    private final HttpServer metricsServer;

    private GatewayNode(Vertx vertx, GatewayVerticle verticle, ModelPromptPreparer preparer, HttpServer metricsServer) {
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
     * (NBCE_METRICS_HOST binds it), so the API port exposes nothing operational.
     */
    public static GatewayNode start(Vertx vertx, MetricsSetup metrics, Path modelDir, String modelName,
                                    Map<String, String> env, String host, int port) throws Exception {
        String metricsPort = env.get("NBCE_METRICS_PORT");
        boolean ownPort = metricsPort != null && !metricsPort.isBlank();
        HttpServer metricsServer = ownPort ? MetricsServer.start(vertx, metrics, parsePort(metricsPort), () -> null) : null;
        ModelPromptPreparer preparer = ModelPromptPreparer.load(modelDir, modelName);
        GatewayLimits limits = GatewayLimits.fromEnvironment(env);
        ClusterBackend.Timeouts timeouts = ClusterBackend.Timeouts.fromEnvironment(env);
        GatewayVerticle verticle = GatewayVerticle.clustered(preparer, limits, timeouts, metrics.registry(), env,
                ownPort ? null : metrics::scrape, host, port);
        vertx.deployVerticle(verticle).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        return new GatewayNode(vertx, verticle, preparer, metricsServer);
    }

    private static int parsePort(String value) {
        try {
            int parsed = Integer.parseInt(value.strip());
            if (parsed >= 0 && parsed <= 65535) {
                return parsed;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("NBCE_METRICS_PORT must be a port number 0..65535, got '" + value + "'");
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
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        preparer.close();
    }
}
