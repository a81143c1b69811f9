package dev.nbce.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.error.ClientText;
import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.InvalidRequestException;
import dev.nbce.common.error.NbceException;
import dev.nbce.gateway.request.GenerationRequest;
import dev.nbce.gateway.request.RequestParser;
import dev.nbce.gateway.service.NbceService;
import dev.nbce.gateway.service.RequestOrigin;
import dev.nbce.gateway.service.RunningGeneration;
import dev.nbce.gateway.session.SessionListener;
import dev.nbce.gateway.session.TokenEvent;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One client socket on /v1/ws: several generations at once, each under the client's own id.
 * Bad frames get an error frame and the socket stays usable; a closed socket cancels everything
 * it started; a client that stops reading is disconnected before its backlog grows unbounded.
 * Until it authenticates a socket is on probation: frames and messages of at most
 * {@link EdgeLimits#preAuthMaxBytes}, an auth deadline, and one try — a wrong key closes it with 1008.
 */
final class WebSocketConnection {
    private static final int MAX_ID_LENGTH = 128;

    private final ServerWebSocket socket;
    private final NbceService service;
    private final ApiKeys apiKeys;
    private final Edge edge;
    private final Map<String, RunningGeneration> running = new HashMap<>();
    private boolean authenticated;
    private WebSocketMessageAssembler messages;
    private PreAuthFrameLimit frameLimit;
    private long authTimer = -1;
    private long bufferedBytes;
    private boolean closed;

    /** The socket's place at the edge: the limits it is held to before auth, where its slot and failed keys are counted. */
    record Edge(Vertx vertx, EdgeLimits limits, SocketAdmission admission, String address,
                io.netty.channel.ChannelPipeline pipeline) {}

    WebSocketConnection(ServerWebSocket socket, NbceService service, ApiKeys apiKeys, boolean authenticated,
                        Edge edge) {
        this.socket = socket;
        this.service = service;
        this.apiKeys = apiKeys;
        this.authenticated = authenticated;
        this.edge = edge;
    }

    void start() {
        messages = new WebSocketMessageAssembler(service.limits().maxRequestBytes(),
                new WebSocketMessageAssembler.Sink() {
                    @Override
                    public void text(String message) {
                        onText(message);
                    }

                    @Override
                    public void binary() {
                        sendError(null, ErrorCode.BAD_REQUEST, "binary frames are not supported; send JSON text");
                    }

                    @Override
                    public void tooLarge(long limit) {
                        if (authenticated) {
                            sendError(null, ErrorCode.TOO_LARGE, "message exceeds " + limit + " bytes");
                        } else {
                            closeWith(ErrorCode.UNAUTHORIZED.webSocketCloseCode(), preAuthLimitReason());
                        }
                    }

                    @Override
                    public void invalidUtf8() {
                        closeWith(WebSocketCloseCodes.INVALID_PAYLOAD, "text message is not valid UTF-8");
                    }
                });
        socket.frameHandler(messages::onFrame);
        socket.closeHandler(v -> onClosed());
        ProtocolViolationClose.install(pipeline());
        socket.exceptionHandler(this::onProtocolError);
        if (!authenticated) {
            startProbation();
        }
    }

    private void startProbation() {
        EdgeLimits limits = edge.limits();
        messages.limit(limits.preAuthMaxBytes());
        frameLimit = PreAuthFrameLimit.install(pipeline(), limits.preAuthMaxBytes(),
                () -> closeWith(ErrorCode.UNAUTHORIZED.webSocketCloseCode(), preAuthLimitReason()));
        authTimer = edge.vertx().setTimer(limits.authTimeoutMillis(), id -> {
            if (!authenticated) {
                closeWith(ErrorCode.UNAUTHORIZED.webSocketCloseCode(),
                        "authenticate within " + limits.authTimeoutMillis() + " ms");
            }
        });
    }

    private void endProbation() {
        authenticated = true;
        edge.vertx().cancelTimer(authTimer);
        messages.limit(service.limits().maxRequestBytes());
        PreAuthFrameLimit.remove(pipeline(), frameLimit);
    }

    private String preAuthLimitReason() {
        return "frames before auth are limited to " + edge.limits().preAuthMaxBytes() + " bytes";
    }

    private io.netty.channel.ChannelPipeline pipeline() {
        return edge.pipeline();
    }

    /**
     * Netty's decoder found a protocol violation (or an oversized frame): close with its RFC 6455 code.
     * {@link ProtocolViolationClose} answers these in the pipeline already; this covers a pipeline it
     * could not join.
     */
    private void onProtocolError(Throwable error) {
        WebSocketCloseCodes.Close close = WebSocketCloseCodes.forDecoderError(error);
        if (close != null) {
            closeWith(close.code(), close.reason());
        }
    }

    private void closeWith(short code, String reason) {
        if (!closed) {
            closed = true;
            socket.close(code, reason);
        }
    }

    private void onText(String text) {
        JsonNode message;
        try {
            message = RequestParser.readTree(text);
        } catch (InvalidRequestException e) {
            sendError(null, ErrorCode.INVALID_JSON, e.getMessage());
            return;
        }
        if (!message.isObject() || !message.path("type").isTextual()) {
            sendError(idOf(message), ErrorCode.BAD_REQUEST, "a message is a JSON object with a string \"type\"");
            return;
        }
        String type = message.get("type").asText();
        if (!authenticated && !type.equals("auth")) {
            sendError(idOf(message), ErrorCode.UNAUTHORIZED, "send {\"type\":\"auth\",\"api_key\":\"…\"} first");
            return;
        }
        switch (type) {
            case "auth" -> authenticate(message);
            case "generate" -> generate(message);
            case "cancel" -> cancel(message);
            default -> sendError(idOf(message), ErrorCode.UNKNOWN_TYPE,
                    "unknown message type '" + ClientText.excerpt(type, 40) + "'; expected generate, cancel or auth");
        }
    }

    /** One try: a wrong key closes the socket (no guessing on an open connection) and counts against the address. */
    private void authenticate(JsonNode message) {
        if (authenticated) {
            return;
        }
        if (apiKeys.accepts(message.path("api_key").asText(null))) {
            endProbation();
        } else {
            edge.admission().authFailed(edge.address());
            sendError(null, ErrorCode.UNAUTHORIZED, "invalid API key");
            closeWith(ErrorCode.UNAUTHORIZED.webSocketCloseCode(), "invalid API key");
        }
    }

    private void generate(JsonNode message) {
        String id = validId(message);
        if (id == null) {
            return;
        }
        if (running.containsKey(id)) {
            sendError(id, ErrorCode.DUPLICATE_ID, "a generation with id '" + ClientText.excerpt(id, 40) + "' is already running on this socket");
            return;
        }
        if (running.size() >= service.limits().maxRequestsPerSocket()) {
            sendError(id, ErrorCode.TOO_MANY_REQUESTS, "at most " + service.limits().maxRequestsPerSocket()
                    + " concurrent generations per connection");
            return;
        }
        for (java.util.Iterator<String> it = message.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!List.of("type", "id", "request").contains(field)) {
                sendError(id, ErrorCode.BAD_REQUEST, "unknown field '" + ClientText.excerpt(field, 40) + "' in generate message");
                return;
            }
        }
        GenerationRequest request;
        try {
            request = RequestParser.parse(message.path("request"));
        } catch (InvalidRequestException e) {
            sendError(id, e.code(), e.getMessage());
            return;
        }
        try {
            RunningGeneration generation = service.submit(request, tokenSender(id),
                    new RequestOrigin("WebSocket " + socket.path() + " generate", socket.headers().get(HttpResponses.TRACEPARENT)));
            running.put(id, generation);
            generation.result().onComplete(ended -> {
                running.remove(id);
                if (ended.succeeded()) {
                    send(JsonFrames.done(id, ended.result()));
                } else {
                    NbceException error = NbceException.of(ended.cause());
                    sendError(id, error.code(), error.getMessage());
                }
            });
        } catch (NbceException e) {
            sendError(id, e.code(), e.getMessage());
        }
    }

    private SessionListener tokenSender(String id) {
        return (TokenEvent token) -> send(JsonFrames.token(id, token));
    }

    private void cancel(JsonNode message) {
        String id = validId(message);
        if (id == null) {
            return;
        }
        RunningGeneration generation = running.get(id);
        if (generation == null) {
            sendError(id, ErrorCode.UNKNOWN_ID, "no running generation with id '" + ClientText.excerpt(id, 40) + "' on this socket");
            return;
        }
        generation.cancel();
    }

    private String validId(JsonNode message) {
        JsonNode id = message.get("id");
        if (id == null || !id.isTextual() || id.asText().isEmpty() || id.asText().length() > MAX_ID_LENGTH) {
            sendError(null, ErrorCode.BAD_REQUEST, "\"id\" must be a string of 1.." + MAX_ID_LENGTH + " characters");
            return null;
        }
        return id.asText();
    }

    private static String idOf(JsonNode message) {
        JsonNode id = message == null ? null : message.get("id");
        return id != null && id.isTextual() && id.asText().length() <= MAX_ID_LENGTH ? id.asText() : null;
    }

    private void sendError(String id, ErrorCode code, String message) {
        send(JsonFrames.error(id, code, message));
    }

    /** Writes a frame, tracking unsent bytes; a client that lets them pile up is disconnected. */
    private void send(ObjectNode frame) {
        if (closed) {
            return;
        }
        String text = JsonFrames.write(frame);
        long size = text.length();
        bufferedBytes += size;
        if (bufferedBytes > service.limits().maxBufferedBytes()) {
            closeWith(ErrorCode.SLOW_CLIENT.webSocketCloseCode(),
                    "client too slow: more than " + service.limits().maxBufferedBytes() + " bytes unread");
            return;
        }
        socket.writeTextMessage(text).onComplete(done -> bufferedBytes -= size);
    }

    private void onClosed() {
        closed = true;
        edge.vertx().cancelTimer(authTimer);
        edge.admission().release(edge.address());
        running.values().forEach(RunningGeneration::cancel);
        running.clear();
    }

}
