package dev.nbce.gateway.http;

import io.vertx.core.http.HttpServerResponse;

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
