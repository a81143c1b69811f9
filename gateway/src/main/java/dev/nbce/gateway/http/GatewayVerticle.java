package dev.nbce.gateway.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.error.ClientText;
import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.wire.WorkerStatus;
import dev.nbce.gateway.request.Json;
import dev.nbce.gateway.service.GatewayBackend;
import dev.nbce.gateway.service.NbceService;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The gateway's HTTP server: WebSocket /v1/ws, POST /v1/generate (JSON or SSE), OpenAI-compatible
 * /v1/chat/completions and /v1/models, /health, /ready, /metrics and the chat page at /. Handlers
 * decode, delegate to {@link NbceService} and respond; nothing here blocks the event loop.
 */
public final class GatewayVerticle extends VerticleBase {
    private final Function<Vertx, GatewayBackend> backendFactory;
    private final ApiKeys apiKeys;
    private final OriginPolicy origins;
    private final EdgeLimits edgeLimits;
    private SocketAdmission admission;
    private NbceService service;
    private GatewayBackend backend;
    private final Supplier<String> metrics;
    private final String host;
    private final int port;
    /** A connection with no traffic for this long is closed (a WebSocket client reconnects). */
    private final int idleTimeoutSeconds;
    /** A new connection must deliver its first request head within this. */
    private final long firstRequestMillis;
    private HttpServer server;

    /**
     * @param backendFactory builds the backend on this verticle's context once deployed
     * @param metrics        Prometheus text exposition, or null to leave /metrics out
     */
    public GatewayVerticle(Function<Vertx, GatewayBackend> backendFactory, HttpSettings settings,
                           Supplier<String> metrics, String host, int port) {
        this.backendFactory = backendFactory;
        this.apiKeys = new ApiKeys(settings.apiKeys());
        this.origins = new OriginPolicy(settings.allowedOrigins());
        this.edgeLimits = settings.edge();
        this.metrics = metrics;
        this.host = host;
        this.port = port;
        this.idleTimeoutSeconds = settings.idleTimeoutSeconds();
        this.firstRequestMillis = settings.headerTimeoutMillis();
    }

    /** The backend built at start. */
    public GatewayBackend backend() {
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
        HttpEdge edge = new HttpEdge(vertx, firstRequestMillis, service.observer());
        admission = new SocketAdmission(edgeLimits);
        router.route().handler(edge::checkFraming);
        router.route("/health").method(HttpMethod.GET).method(HttpMethod.HEAD)
                .handler(ctx -> ctx.response().putHeader("Content-Type", "application/json").end("{\"status\":\"ok\"}"));
        router.route("/ready").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(this::readiness);
        if (metrics != null) {
            router.get("/metrics").handler(ctx -> ctx.response()
                    .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.get()));
        }
        router.route("/v1/*").handler(origins::handle);
        router.route("/v1/*").handler(this::authorize);
        router.post("/v1/*").handler(BodyHandler.create(false).setBodyLimit(service.limits().maxRequestBytes()));
        GenerateEndpoint generate = new GenerateEndpoint(service);
        OpenAiEndpoint openAi = new OpenAiEndpoint(service);
        router.post("/v1/generate").handler(generate::handle);
        router.post("/v1/chat/completions").handler(openAi::chatCompletions);
        router.post("/v1/completions").handler(openAi::completions);
        router.get("/v1/models").handler(openAi::models);
        // vLLM's tokenizer endpoints, answered by the gateway alone (no worker, no weights).
        TokenizeEndpoint tokenize = new TokenizeEndpoint(service.preparer().model());
        router.route("/tokenize").handler(this::authorize);
        router.route("/detokenize").handler(this::authorize);
        router.post("/tokenize").handler(BodyHandler.create(false).setBodyLimit(service.limits().maxRequestBytes()));
        router.post("/detokenize").handler(BodyHandler.create(false).setBodyLimit(service.limits().maxRequestBytes()));
        router.post("/tokenize").handler(tokenize::tokenize);
        router.post("/detokenize").handler(tokenize::detokenize);
        router.get("/v1/ws").handler(this::upgrade);
        router.route("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false));
        router.route().last().handler(ctx -> HttpResponses.error(ctx, ErrorCode.NOT_FOUND, "no such endpoint: "
                + ctx.request().method() + " " + ctx.request().path()));
        router.errorHandler(413, ctx -> HttpResponses.error(ctx, ErrorCode.TOO_LARGE,
                "request body exceeds " + service.limits().maxRequestBytes() + " bytes"));
        router.errorHandler(405, ctx -> HttpResponses.error(ctx, ErrorCode.METHOD_NOT_ALLOWED,
                ctx.request().method().name() + " is not allowed on " + ClientText.excerpt(ctx.request().path(), 80)));
        // Vert.x Web's own 400s (an undecodable path, a malformed form body) in our shape.
        router.errorHandler(400, ctx -> HttpEdge.refuseAndClose(ctx, ErrorCode.BAD_REQUEST,
                "malformed request (path or body encoding)"));
        router.errorHandler(500, ctx -> HttpResponses.error(ctx, ErrorCode.INTERNAL, "internal error"));

        HttpServerOptions options = new HttpServerOptions()
                .setHost(host)
                .setPort(port)
                // WebSocketMessageAssembler applies our limit across fragments and answers with an error frame;
                // a single frame past Vert.x's larger limit is closed with 1009 by WebSocketConnection.
                .setMaxWebSocketMessageSize(service.limits().maxRequestBytes() * 2)
                .setMaxWebSocketFrameSize(service.limits().maxRequestBytes() * 2)
                // No permessage-deflate: a small compressed frame could inflate to gigabytes before any
                // limit sees it, and without an extension RSV bits are a protocol error (RFC 6455 §5.2).
                .setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false)
                .setCompressionSupported(true)
                // HTTP/1.1 only: an h2c upgrade is ignored (answered as HTTP/1.1), never half-handled.
                .setHttp2ClearTextEnabled(false)
                .setIdleTimeout(idleTimeoutSeconds);
        return vertx.createHttpServer(options)
                .connectionHandler(edge::onConnection)
                .invalidRequestHandler(HttpEdge::onUndecodable)
                .requestHandler(router).listen().onSuccess(s -> server = s);
    }

    private void readiness(RoutingContext ctx) {
        // A draining gateway leaves the load balancer at once, while its streams finish.
        boolean ok = backend.ready() && !service.draining();
        ObjectNode body = Json.MAPPER.createObjectNode().put("ready", ok);
        ArrayNode workers = body.putArray("workers");
        for (WorkerStatus w : backend.workers()) {
            workers.addObject().put("id", w.workerId()).put("model", w.model()).put("capacity_rows", w.capacityRows())
                    .put("active_rows", w.activeRows()).put("capacity_kv_tokens", w.capacityKvTokens())
                    .put("free_kv_tokens", w.freeKvTokens()).put("metrics", w.metricsUrl());
        }
        ctx.response().setStatusCode(ok ? 200 : 503).putHeader("Content-Type", "application/json").end(body.toString());
    }

    private void authorize(RoutingContext ctx) {
        String address = clientAddress(ctx);
        if (apiKeys.enabled() && admission.locked(address)) {
            ctx.response().putHeader("Retry-After", Long.toString(admission.secondsToUnlock()));
            HttpResponses.error(ctx, ErrorCode.TOO_MANY_REQUESTS, "too many failed API keys from this address; try again later");
            return;
        }
        boolean isWebSocket = ctx.request().path().equals("/v1/ws");
        // A WebSocket may instead authenticate with its first message.
        if (apiKeys.accepts(ctx.request()) || isWebSocket) {
            ctx.next();
        } else {
            if (ctx.request().getHeader("Authorization") != null) {
                admission.authFailed(address);
            }
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
            HttpResponses.error(ctx, ErrorCode.UNAUTHORIZED, "missing or invalid API key (Authorization: Bearer …)");
        }
    }

    /** The TCP peer: behind an ingress that is the ingress, so per-address limits are per proxy there. */
    private static String clientAddress(RoutingContext ctx) {
        var remote = ctx.request().remoteAddress();
        return remote == null || remote.hostAddress() == null ? "unknown" : remote.hostAddress();
    }

    private void upgrade(RoutingContext ctx) {
        // Refused handshakes get our JSON error, not Vert.x's plain-text one.
        String problem = WebSocketHandshake.problem(ctx.request());
        if (problem != null) {
            if (WebSocketHandshake.wrongVersion(ctx.request())) {
                ctx.response().putHeader("Sec-WebSocket-Version", "13");
                HttpResponses.error(ctx, ErrorCode.UPGRADE_REQUIRED, problem);
            } else {
                HttpResponses.error(ctx, ErrorCode.BAD_REQUEST, problem);
            }
            return;
        }
        String address = clientAddress(ctx);
        String refusal = admission.admit(address);
        if (refusal != null) {
            ctx.response().putHeader("Retry-After", "5");
            HttpResponses.error(ctx, ErrorCode.TOO_MANY_REQUESTS, refusal);
            return;
        }
        boolean authenticated = apiKeys.accepts(ctx.request());
        // Vert.x Web wraps the socket; the connection gives the Netty pipeline the pre-auth frame limit joins.
        io.netty.channel.ChannelPipeline pipeline =
                ((io.vertx.core.net.impl.ConnectionBase) ctx.request().connection()).channel().pipeline();
        WebSocketConnection.Edge socketEdge = new WebSocketConnection.Edge(vertx, edgeLimits, admission, address, pipeline);
        ctx.request().toWebSocket()
                .onSuccess(socket -> new WebSocketConnection(socket, service, apiKeys, authenticated, socketEdge).start())
                .onFailure(e -> {
                    admission.release(address);
                    HttpResponses.error(ctx, ErrorCode.BAD_REQUEST, "expected a WebSocket upgrade");
                });
    }

    @Override
    public Future<?> stop() {
        return server == null ? Future.succeededFuture() : server.close();
    }
}
