package dev.nbce.gateway.http;

import dev.nbce.common.testing.Fixtures;
import dev.nbce.common.wire.Advance;
import dev.nbce.common.wire.OpenRows;
import dev.nbce.common.wire.ShardStep;
import dev.nbce.gateway.metrics.GatewayMetrics;
import dev.nbce.gateway.service.GatewayBackend;
import dev.nbce.gateway.service.GatewayLimits;
import dev.nbce.gateway.service.ModelPromptPreparer;
import dev.nbce.gateway.service.NbceService;
import dev.nbce.gateway.session.RowExecutor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real gateway verticle (HTTP, WebSocket, the chat page) over a backend with no workers: enough to
 * test everything the edge does before a request reaches the cluster, in milliseconds and without a
 * model runtime.
 */
final class NoWorkerGateway implements AutoCloseable {
    /** An executor with no worker at all: every placement finds no room. */
    private static final class NoWorkers implements RowExecutor {
        @Override
        public List<WorkerSlot> availableWorkers() {
            return List.of();
        }

        @Override
        public Future<ShardStep> open(String workerId, OpenRows open) {
            return Future.failedFuture("no worker " + workerId);
        }

        @Override
        public Future<ShardStep> advance(String workerId, Advance advance) {
            return Future.failedFuture("no worker " + workerId);
        }

        @Override
        public void close(String workerId, String requestId) {
        }
    }

    private final Vertx vertx = Vertx.vertx();
    /** The gateway's NBCE meters. */
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ModelPromptPreparer preparer;
    private final GatewayVerticle verticle;

    /** tiny-llama with these limits and HTTP settings (keys, edge bounds, timeouts) */
    NoWorkerGateway(GatewayLimits limits, HttpSettings http) throws Exception {
        this(Fixtures.tinyLlama(), limits, http);
    }

    NoWorkerGateway(Path model, GatewayLimits limits, HttpSettings http) throws Exception {
        preparer = ModelPromptPreparer.load(model, "tiny-llama");
        verticle = new GatewayVerticle(v -> new GatewayBackend() {
            private final NbceService service = new NbceService(v, preparer, new NoWorkers(),
                    limits, new GatewayMetrics(meters));

            @Override
            public NbceService service() {
                return service;
            }

            @Override
            public boolean ready() {
                return false;
            }
        }, http, () -> "# metrics\n", "127.0.0.1", 0);
        vertx.deployVerticle(verticle).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    int port() {
        return verticle.actualPort();
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        preparer.close();
    }
}
