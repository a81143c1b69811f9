package dev.nbce.gateway.cli;

import dev.nbce.worker.metrics.MetricsSetup;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.concurrent.TimeUnit;

/** A worker's own small HTTP server: GET /metrics (Prometheus) and GET /health. */
final class MetricsServer {
    private MetricsServer() {}

    static HttpServer start(Vertx vertx, MetricsSetup metrics, int port) throws Exception {
        return vertx.createHttpServer()
                .requestHandler(request -> {
                    switch (request.path()) {
                        case "/metrics" -> request.response()
                                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape());
                        case "/health" -> request.response().putHeader("Content-Type", "application/json").end("{\"status\":\"ok\"}");
                        default -> request.response().setStatusCode(404).end();
                    }
                })
                .listen(port, System.getenv().getOrDefault("NBCE_METRICS_HOST", "0.0.0.0"))
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
