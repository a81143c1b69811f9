package dev.nbce.gateway.http;

import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;
import dev.nbce.gateway.service.ServiceObserver;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * What the HTTP edge checks before any endpoint runs, and how it answers what Vert.x would answer in
 * plain text: RFC 9112 framing (a Transfer-Encoding other than chunked, or one beside a Content-Length,
 * is refused and the connection closed — the request-smuggling case behind a proxy), Expect, requests
 * Netty could not decode, and a deadline for a connection's first request (a client that opens
 * sockets and never finishes its headers). Every answer is the documented JSON error.
 */
final class HttpEdge {
    private final Vertx vertx;
    private final long firstRequestMillis;
    private final ServiceObserver observer;
    /** Connections that have not yet sent a whole request head, with their deadline timer. */
    private final Map<HttpConnection, Long> awaitingFirstRequest = new WeakHashMap<>();

    HttpEdge(Vertx vertx, long firstRequestMillis, ServiceObserver observer) {
        this.vertx = vertx;
        this.firstRequestMillis = firstRequestMillis;
        this.observer = observer;
    }

    /**
     * For {@code HttpServer.connectionHandler}: counts the connection while it is open (the gateway's
     * autoscaling signal) and closes it if its first request head does not arrive in time.
     */
    void onConnection(HttpConnection connection) {
        observer.connectionOpened();
        // The channel's own close: the connection's close handler is not called once it became a WebSocket.
        ((io.vertx.core.net.impl.ConnectionBase) connection).channel().closeFuture()
                .addListener(closed -> observer.connectionClosed());
        long timer = vertx.setTimer(firstRequestMillis, id -> {
            awaitingFirstRequest.remove(connection);
            connection.close();
        });
        awaitingFirstRequest.put(connection, timer);
        connection.closeHandler(v -> {
            Long pending = awaitingFirstRequest.remove(connection);
            if (pending != null) {
                vertx.cancelTimer(pending);
            }
        });
    }

    /** The router's first handler: framing and Expect checks, then the endpoints. */
    void checkFraming(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        Long pending = awaitingFirstRequest.remove(request.connection());
        if (pending != null) {
            vertx.cancelTimer(pending);
        }
        String transferEncoding = request.getHeader(HttpHeaders.TRANSFER_ENCODING);
        if (transferEncoding != null && request.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
            refuseAndClose(ctx, ErrorCode.BAD_REQUEST, "Transfer-Encoding and Content-Length together are ambiguous");
            return;
        }
        if (transferEncoding != null && !transferEncoding.trim().equalsIgnoreCase("chunked")) {
            refuseAndClose(ctx, ErrorCode.BAD_REQUEST, "only Transfer-Encoding: chunked is supported");
            return;
        }
        String expect = request.getHeader(HttpHeaders.EXPECT);
        if (expect != null && !expect.trim().equalsIgnoreCase("100-continue")) {
            HttpResponses.error(ctx, ErrorCode.EXPECTATION_FAILED, "only Expect: 100-continue is supported");
            return;
        }
        ctx.next();
    }

    /** For {@code HttpServer.invalidRequestHandler}: Netty could not decode the request line or headers. */
    static void onUndecodable(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        ErrorCode code = ErrorCode.BAD_REQUEST;
        String message = "malformed HTTP request";
        if (cause instanceof TooLongHttpLineException) {
            code = ErrorCode.URI_TOO_LONG;
            message = "request line too long";
        } else if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
            code = ErrorCode.HEADERS_TOO_LARGE;
            message = "request headers too large";
        }
        HttpServerResponse response = request.response();
        response.setStatusCode(code.httpStatus()).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(JsonFrames.httpError(code, message).toString())
                .onComplete(done -> request.connection().close());
    }

    /** Answers and closes the connection: after a framing error the next request's start is unknown. */
    static void refuseAndClose(RoutingContext ctx, ErrorCode code, String message) {
        ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
        ctx.response().endHandler(v -> ctx.request().connection().close());
        HttpResponses.error(ctx, new NbceException(code, message));
    }
}
