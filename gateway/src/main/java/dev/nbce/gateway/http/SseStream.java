package dev.nbce.gateway.http;

import dev.nbce.common.error.NbceException;
import dev.nbce.gateway.request.GenerationRequest;
import dev.nbce.gateway.request.GenerationResult;
import dev.nbce.gateway.service.NbceService;
import dev.nbce.gateway.service.RunningGeneration;
import dev.nbce.gateway.session.TokenEvent;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.function.BiConsumer;

/**
 * A Server-Sent Events response with bounded buffering: a client that stops reading is
 * disconnected once its unsent backlog passes the limit, which cancels its generation.
 */
final class SseStream {
    private final HttpServerResponse response;
    private final long maxBufferedBytes;
    private long bufferedBytes;
    private boolean closed;

    SseStream(HttpServerResponse response, long maxBufferedBytes) {
        this.response = response;
        this.maxBufferedBytes = maxBufferedBytes;
        response.setChunked(true)
                .putHeader("Content-Type", "text/event-stream")
                .putHeader("Cache-Control", "no-cache")
                .putHeader("X-Accel-Buffering", "no");
    }

    /**
     * Runs a generation as an event stream: a refusal before the first event is a plain HTTP error,
     * a client that goes away cancels it, and the stream ends after {@code onDone} or {@code onError}.
     */
    static void generate(RoutingContext ctx, NbceService service, GenerationRequest request,
                         BiConsumer<SseStream, TokenEvent> onToken, BiConsumer<SseStream, GenerationResult> onDone,
                         BiConsumer<SseStream, NbceException> onError) {
        // Headers go out with the first event, so a refusal below can still be a plain HTTP error.
        SseStream sse = new SseStream(ctx.response(), service.limits().maxBufferedBytes());
        RunningGeneration generation;
        try {
            generation = service.submit(request, token -> onToken.accept(sse, token), HttpResponses.origin(ctx));
        } catch (NbceException e) {
            HttpResponses.error(ctx, e);
            return;
        }
        ctx.response().closeHandler(v -> generation.cancel());
        generation.result().onComplete(ended -> {
            if (ended.succeeded()) {
                onDone.accept(sse, ended.result());
            } else {
                onError.accept(sse, NbceException.of(ended.cause()));
            }
            sse.end();
        });
    }

    /** Writes one event; {@code event} null for OpenAI-style data-only lines. */
    void send(String event, String data) {
        if (closed || response.closed()) {
            return;
        }
        String chunk = (event == null ? "" : "event: " + event + "\n") + "data: " + data + "\n\n";
        long size = chunk.length();
        bufferedBytes += size;
        if (bufferedBytes > maxBufferedBytes) {
            closed = true;
            response.reset();
            return;
        }
        response.write(chunk).onComplete(done -> bufferedBytes -= size);
    }

    void end() {
        if (!closed && !response.closed() && !response.ended()) {
            closed = true;
            response.end();
        }
    }
}
