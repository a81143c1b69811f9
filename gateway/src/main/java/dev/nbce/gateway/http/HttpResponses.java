package dev.nbce.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;
import dev.nbce.gateway.request.GenerationRequest;
import dev.nbce.gateway.request.GenerationResult;
import dev.nbce.gateway.service.NbceService;
import dev.nbce.gateway.service.RequestOrigin;
import dev.nbce.gateway.service.RunningGeneration;
import dev.nbce.gateway.session.SessionListener;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;

/** JSON responses and error responses; errors carry a code and one line, never a stack trace. */
final class HttpResponses {
    private HttpResponses() {}

    static void json(RoutingContext ctx, int status, JsonNode body) {
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(status).putHeader("Content-Type", "application/json").end(body.toString());
    }

    static void error(RoutingContext ctx, ErrorCode code, String message) {
        error(ctx, new NbceException(code, message));
    }

    /** The error's status and {"error": …} body; a retry estimate (overload) becomes Retry-After. */
    static void error(RoutingContext ctx, NbceException e) {
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.closed()) {
            return;
        }
        if (response.headWritten()) {
            // Streaming already started: the stream itself carries the error, then ends.
            response.end();
            return;
        }
        e.retryAfterSeconds().ifPresent(seconds -> response.putHeader("Retry-After", Integer.toString(seconds)));
        json(ctx, e.code().httpStatus(), JsonFrames.httpError(e));
    }

    /** The request's span name (method and path) and the W3C trace context its client sent, if any. */
    static RequestOrigin origin(RoutingContext ctx) {
        return new RequestOrigin(ctx.request().method().name() + " " + ctx.request().path(),
                ctx.request().getHeader(TRACEPARENT));
    }

    /** The W3C Trace Context header a client's trace continues in (docs/operations.md: Tracing). */
    static final String TRACEPARENT = "traceparent";

    /**
     * Runs a generation answered in one response: cancelled when the client disconnects first,
     * refusals and failures as JSON errors, the result rendered by {@code render}.
     */
    static void respondWhenDone(RoutingContext ctx, NbceService service, GenerationRequest request,
                                Function<GenerationResult, JsonNode> render) {
        RunningGeneration generation;
        try {
            generation = service.submit(request, SessionListener.NONE, origin(ctx));
        } catch (NbceException e) {
            error(ctx, e);
            return;
        }
        ctx.request().connection().closeHandler(v -> generation.cancel());
        generation.result().onComplete(ended -> {
            if (ended.succeeded()) {
                json(ctx, 200, render.apply(ended.result()));
            } else {
                error(ctx, NbceException.of(ended.cause()));
            }
        });
    }
}
