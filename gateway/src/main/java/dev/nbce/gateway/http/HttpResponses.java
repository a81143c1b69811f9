package dev.nbce.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.request.GenerationRequest;
import dev.nbce.common.request.GenerationResult;
import dev.nbce.gateway.service.NbceService;
import dev.nbce.gateway.service.RunningGeneration;
import dev.nbce.gateway.session.SessionException;
import dev.nbce.gateway.session.SessionListener;
import java.util.function.Function;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

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

    static void error(RoutingContext ctx, String code, String message) {
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.closed()) {
            return;
        }
        if (response.headWritten()) {
            // Streaming already started: the stream itself carries the error, then ends.
            response.end();
            return;
        }
        if (code.equals("overloaded") || code.equals("shutting_down")) {
            response.putHeader("Retry-After", "1");
        }
        json(ctx, ErrorCodes.httpStatus(code), JsonFrames.httpError(code, message));
    }

    static void error(RoutingContext ctx, SessionException e) {
        error(ctx, e.code(), e.getMessage());
    }

    /**
     * Runs a generation answered in one response: cancelled when the client disconnects first,
     * refusals and failures as JSON errors, the result rendered by {@code render}.
     */
    static void respondWhenDone(RoutingContext ctx, NbceService service, GenerationRequest request,
                                Function<GenerationResult, JsonNode> render) {
        RunningGeneration generation;
        try {
            generation = service.submit(request, SessionListener.NONE);
        } catch (SessionException e) {
            error(ctx, e);
            return;
        }
        ctx.request().connection().closeHandler(v -> generation.cancel().run());
        generation.result().onComplete(ended -> {
            if (ended.succeeded()) {
                json(ctx, 200, render.apply(ended.result()));
            } else {
                error(ctx, (SessionException) ended.cause());
            }
        });
    }
}
