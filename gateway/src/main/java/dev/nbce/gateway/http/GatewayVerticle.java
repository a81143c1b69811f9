package dev.nbce.gateway.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.request.Json;
import dev.nbce.common.wire.WorkerStatus;
import dev.nbce.gateway.cluster.ClusterBackend;
import dev.nbce.gateway.service.GatewayLimits;
import dev.nbce.gateway.service.ModelPromptPreparer;
import dev.nbce.gateway.service.NbceService;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The gateway's HTTP server: WebSocket /v1/ws, POST /v1/generate (JSON or SSE), OpenAI-compatible
 * /v1/chat/completions and /v1/models, /health, /ready, /metrics and the chat page at /. Handlers
 * decode, delegate to {@link NbceService} and respond; nothing here blocks the event loop.
 */
public final class GatewayVerticle extends VerticleBase {
    /** What the HTTP layer serves: built on this verticle's context, so all of it shares one event loop. */
    public interface Backend {
        NbceService service();

        /** True when at least one worker with the model can take rows. */
        boolean ready();

        /** The live workers serving the model (none for an in-process backend). */
        default java.util.List<WorkerStatus> workers() {
            return java.util.List.of();
        }
    }

    private final Function<Vertx, Backend> backendFactory;
    private final ApiKeys apiKeys;
    private NbceService service;
    private Backend backend;
    private final Supplier<String> metrics;
    private final String host;
    private final int port;
    private HttpServer server;

    /** @param metrics Prometheus text exposition, or null to leave /metrics out */
    public GatewayVerticle(Function<Vertx, Backend> backendFactory, Map<String, String> env,
                           Supplier<String> metrics, String host, int port) {
        this.backendFactory = backendFactory;
        this.apiKeys = ApiKeys.fromEnvironment(env);
        this.metrics = metrics;
        this.host = host;
        this.port = port;
    }

    /**
     * The production gateway: the HTTP API over a {@link ClusterBackend} (worker registry and event-bus
     * executor) built on this verticle's context once it is deployed on a clustered Vert.x.
     */
    public static GatewayVerticle clustered(ModelPromptPreparer preparer, GatewayLimits limits,
                                            ClusterBackend.Timeouts timeouts, MeterRegistry meters,
                                            Map<String, String> env, Supplier<String> metrics, String host, int port) {
        return new GatewayVerticle(vertx -> new ClusterBackend(vertx, preparer, limits, timeouts, meters),
                env, metrics, host, port);
    }

    /** The backend built at start. */
    public Backend backend() {
        return backend;
    }

    /** The port actually bound (useful with port 0). */
    public int actualPort() {
        return server.actualPort();
    }

    @Override
    public Future<?> start() {
        backend = backendFactory.apply(vertx);
        service = backend.service();
        Router router = Router.router(vertx);
        router.get("/health").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json").end("{\"status\":\"ok\"}"));
        router.get("/ready").handler(this::readiness);
        if (metrics != null) {
            router.get("/metrics").handler(ctx -> ctx.response()
                    .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.get()));
        }
        router.route("/v1/*").handler(this::authorize);
        router.post("/v1/*").handler(BodyHandler.create(false).setBodyLimit(service.limits().maxRequestBytes()));
        GenerateEndpoint generate = new GenerateEndpoint(service);
        OpenAiEndpoint openAi = new OpenAiEndpoint(service);
        router.post("/v1/generate").handler(generate::handle);
        router.post("/v1/chat/completions").handler(openAi::chatCompletions);
        router.get("/v1/models").handler(openAi::models);
        router.get("/v1/ws").handler(this::upgrade);
        router.route("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false));
        router.route().last().handler(ctx -> HttpResponses.error(ctx, "not_found", "no such endpoint: "
                + ctx.request().method() + " " + ctx.request().path()));
        router.errorHandler(413, ctx -> HttpResponses.error(ctx, "too_large",
                "request body exceeds " + service.limits().maxRequestBytes() + " bytes"));
        router.errorHandler(405, ctx -> HttpResponses.error(ctx, "bad_request", "method not allowed"));
        router.errorHandler(500, ctx -> HttpResponses.error(ctx, "internal", "internal error"));

        HttpServerOptions options = new HttpServerOptions()
                .setHost(host)
                .setPort(port)
                // Our own limit answers with an error frame; Vert.x's larger one only guards memory.
                .setMaxWebSocketMessageSize(service.limits().maxRequestBytes() * 2)
                .setMaxWebSocketFrameSize(service.limits().maxRequestBytes() * 2)
                .setCompressionSupported(true);
        return vertx.createHttpServer(options).requestHandler(router).listen().onSuccess(s -> server = s);
    }

    private void readiness(RoutingContext ctx) {
        // A draining gateway leaves the load balancer at once, while its streams finish.
        boolean ok = backend.ready() && !service.draining();
        ObjectNode body = Json.MAPPER.createObjectNode().put("ready", ok);
        ArrayNode workers = body.putArray("workers");
        for (WorkerStatus w : backend.workers()) {
            workers.addObject().put("id", w.workerId()).put("model", w.model()).put("capacity_rows", w.capacityRows())
                    .put("active_rows", w.activeRows()).put("metrics", w.metricsUrl());
        }
        ctx.response().setStatusCode(ok ? 200 : 503).putHeader("Content-Type", "application/json").end(body.toString());
    }

    private void authorize(RoutingContext ctx) {
        boolean isWebSocket = ctx.request().path().equals("/v1/ws");
        // A WebSocket may instead authenticate with its first message.
        if (apiKeys.accepts(ctx.request()) || isWebSocket) {
            ctx.next();
        } else {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
            HttpResponses.error(ctx, "unauthorized", "missing or invalid API key (Authorization: Bearer …)");
        }
    }

    private void upgrade(RoutingContext ctx) {
        boolean authenticated = apiKeys.accepts(ctx.request());
        ctx.request().toWebSocket()
                .onSuccess(socket -> new WebSocketConnection(socket, service, apiKeys, authenticated).start())
                .onFailure(e -> HttpResponses.error(ctx, "bad_request", "expected a WebSocket upgrade"));
    }

    @Override
    public Future<?> stop() {
        return server == null ? Future.succeededFuture() : server.close();
    }
}
