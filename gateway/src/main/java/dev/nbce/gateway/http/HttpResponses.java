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
import java.util.ArrayList;
import java.util.List;
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
    /**
     * Runs the generations one after another (a later one finds the windows the first prefilled in the prefix
     * cache) and answers with all their results, or with the first failure; a closed connection cancels the one
     * running and starts no other.
     */
    static void respondWhenAllDone(RoutingContext ctx, NbceService service, List<GenerationRequest> requests,
                                   Function<List<GenerationResult>, JsonNode> render) {
        List<GenerationResult> results = new ArrayList<>();
        RunningGeneration[] running = new RunningGeneration[1];
        boolean[] closed = new boolean[1];
        ctx.request().connection().closeHandler(v -> {
            closed[0] = true;
            if (running[0] != null) {
                running[0].cancel();
            }
        });
        runNext(ctx, service, requests, results, running, closed, render);
    }

    private static void runNext(RoutingContext ctx, NbceService service, List<GenerationRequest> requests,
                                List<GenerationResult> results, RunningGeneration[] running, boolean[] closed,
                                Function<List<GenerationResult>, JsonNode> render) {
        if (closed[0]) {
            return;
        }
        try {
            running[0] = service.submit(requests.get(results.size()), SessionListener.NONE, origin(ctx));
        } catch (NbceException e) {
            error(ctx, e);
            return;
        }
        running[0].result().onComplete(ended -> {
            if (ended.failed()) {
                error(ctx, NbceException.of(ended.cause()));
                return;
            }
            results.add(ended.result());
            if (results.size() == requests.size()) {
                json(ctx, 200, render.apply(results));
            } else {
                runNext(ctx, service, requests, results, running, closed, render);
            }
        });
    }

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
