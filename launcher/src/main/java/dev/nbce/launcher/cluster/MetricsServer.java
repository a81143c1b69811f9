package dev.nbce.launcher.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.BindException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A worker's own small HTTP server: GET /metrics (Prometheus) and GET /health (503 with the reason
 * while the engine is unhealthy, so Kubernetes restarts a worker whose engine died or wedged).
 *
 * <p>Several workers share a host (one per GPU), so an unconfigured port is the first free one from
 * {@link #FIRST_AUTO_PORT} on, predictable for a scrape config; a configured port is taken exactly or
 * the worker stops with a message naming the port and the setting.
 */
final class MetricsServer {
    static final int FIRST_AUTO_PORT = 9100;
    static final int AUTO_PORTS = 100;

    private MetricsServer() {}

    /**
     * @param host           the interface to bind (NBCE_METRICS_HOST)
     * @param configuredPort the --metrics-port / NBCE_METRICS_PORT value, or null to pick the first free port from 9100
     */
    static HttpServer start(Vertx vertx, MetricsSetup metrics, String host, Integer configuredPort, Supplier<String> problem)
            throws Exception {
        if (configuredPort != null) {
            try {
                return listen(vertx, metrics, host, configuredPort, problem);
            } catch (BindException e) {
                throw new IllegalArgumentException("metrics port " + configuredPort + " on " + host
                        + " is already in use: set another with NBCE_METRICS_PORT or --metrics-port (0 = any free port)");
            }
        }
        for (int port = FIRST_AUTO_PORT; port < FIRST_AUTO_PORT + AUTO_PORTS; port++) {
            try {
                return listen(vertx, metrics, host, port, problem);
            } catch (BindException taken) {
                // another worker on this host has it: try the next one
            }
        }
        return listen(vertx, metrics, host, 0, problem);
    }

    private static void health(io.vertx.core.http.HttpServerResponse response, String problem) {
        response.putHeader("Content-Type", "application/json");
        if (problem == null) {
            response.end("{\"status\":\"ok\"}");
        } else {
            response.setStatusCode(503).end(new io.vertx.core.json.JsonObject().put("status", "unhealthy")
                    .put("reason", problem).encode());
        }
    }

    /** NIO reports a {@link BindException}; Netty's native transports an IOException with the OS text. */
    private static boolean addressInUse(Throwable error) {
        return error instanceof BindException
                || (error != null && String.valueOf(error.getMessage()).contains("Address already in use"));
    }

    private static HttpServer listen(Vertx vertx, MetricsSetup metrics, String host, int port, Supplier<String> problem)
            throws Exception {
        try {
            return vertx.createHttpServer()
                    .requestHandler(request -> {
                        switch (request.path()) {
                            case "/metrics" -> request.response()
                                    .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape());
                            case "/health" -> health(request.response(), problem.get());
                            default -> request.response().setStatusCode(404).end();
                        }
                    })
                    .listen(port, host)
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (addressInUse(e.getCause())) {
                throw new BindException("port " + port + " in use");
            }
            throw e;
        }
    }
}
