package dev.nbce.gateway.http;

import dev.nbce.common.request.GenerationRequest;
import dev.nbce.common.request.GenerationResult;
import dev.nbce.common.request.InvalidRequestException;
import dev.nbce.common.request.RequestParser;
import dev.nbce.gateway.service.NbceService;
import dev.nbce.gateway.service.RunningGeneration;
import dev.nbce.gateway.session.SessionException;
import io.vertx.ext.web.RoutingContext;

/** POST /v1/generate: the result as JSON, or Server-Sent Events with "stream": true. */
final class GenerateEndpoint {
    private final NbceService service;

    GenerateEndpoint(NbceService service) {
        this.service = service;
    }

    void handle(RoutingContext ctx) {
        GenerationRequest request;
        try {
            request = RequestParser.parse(ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes());
        } catch (InvalidRequestException e) {
            HttpResponses.error(ctx, "bad_request", e.getMessage());
            return;
        }
        if (request.stream()) {
            stream(ctx, request);
        } else {
            HttpResponses.respondWhenDone(ctx, service, request, GenerationResult::toJson);
        }
    }

    private void stream(RoutingContext ctx, GenerationRequest request) {
        // Headers go out with the first event, so a refusal below can still be a plain HTTP error.
        SseStream sse = new SseStream(ctx.response(), service.limits().maxBufferedBytes());
        RunningGeneration generation;
        try {
            generation = service.submit(request, token -> sse.send("token", JsonFrames.token(null, token).toString()));
        } catch (SessionException e) {
            HttpResponses.error(ctx, e);
            return;
        }
        ctx.response().closeHandler(v -> generation.cancel().run());
        generation.result().onComplete(ended -> {
            if (ended.succeeded()) {
                sse.send("done", ended.result().toJson().toString());
            } else {
                SessionException e = (SessionException) ended.cause();
                sse.send("error", JsonFrames.httpError(e.code(), e.getMessage()).get("error").toString());
            }
            sse.end();
        });
    }
}
