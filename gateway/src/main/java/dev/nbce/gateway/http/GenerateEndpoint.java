package dev.nbce.gateway.http;

import dev.nbce.common.error.InvalidRequestException;
import dev.nbce.gateway.request.GenerationRequest;
import dev.nbce.gateway.request.GenerationResult;
import dev.nbce.gateway.request.RequestParser;
import dev.nbce.gateway.service.NbceService;
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
            HttpResponses.error(ctx, e);
            return;
        }
        if (request.stream()) {
            stream(ctx, request);
        } else {
            HttpResponses.respondWhenDone(ctx, service, request, GenerationResult::toJson);
        }
    }

    private void stream(RoutingContext ctx, GenerationRequest request) {
        SseStream.generate(ctx, service, request,
                (sse, token) -> sse.send("token", JsonFrames.token(null, token).toString()),
                (sse, result) -> sse.send("done", result.toJson().toString()),
                (sse, e) -> sse.send("error", JsonFrames.httpError(e.code(), e.getMessage()).get("error").toString()));
    }
}
