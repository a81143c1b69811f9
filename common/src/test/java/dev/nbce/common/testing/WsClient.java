package dev.nbce.common.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A well-behaved WebSocket client of the API (java.net.http) that collects the server's JSON frames; for
 * frames no client library would send, see {@link RawWebSocket}.
 */
public final class WsClient implements AutoCloseable {
    private final LinkedBlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final WebSocket socket;

    public WsClient(String httpBaseUrl) throws Exception {
        // "http://host:port" or "http://host:port/?query": the query is kept on the socket URL.
        String base = httpBaseUrl.replaceFirst("^http", "ws");
        int query = base.indexOf("/?");
        URI uri = URI.create(query < 0 ? base + "/v1/ws" : base.substring(0, query) + "/v1/ws" + base.substring(query + 1));
        socket = Http.CLIENT.newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(uri, new Listener()).get(10, TimeUnit.SECONDS);
    }

    public void send(String text) {
        socket.sendText(text, true).join();
    }

    public void sendBinary(java.nio.ByteBuffer bytes) {
        socket.sendBinary(bytes, true).join();
    }

    /** The next frame, or fails the test after {@code seconds}. */
    public JsonNode next(long seconds) throws InterruptedException {
        JsonNode frame = frames.poll(seconds, TimeUnit.SECONDS);
        if (frame == null) {
            throw new AssertionError("no frame from the server within " + seconds + " s");
        }
        return frame;
    }

    /** Frames until (and including) the done or error frame of {@code id}; other ids' frames are kept for later. */
    public List<JsonNode> until(String id, long seconds) throws InterruptedException {
        List<JsonNode> mine = new ArrayList<>();
        List<JsonNode> others = new ArrayList<>();
        long deadline = System.currentTimeMillis() + seconds * 1000;
        while (true) {
            long left = deadline - System.currentTimeMillis();
            JsonNode frame = frames.poll(Math.max(1, left), TimeUnit.MILLISECONDS);
            if (frame == null) {
                frames.addAll(others);
                throw new AssertionError("no done/error frame for " + id + " within " + seconds + " s; got " + mine);
            }
            if (id.equals(frame.path("id").asText(null))) {
                mine.add(frame);
                String type = frame.path("type").asText();
                if (type.equals("done") || type.equals("error")) {
                    frames.addAll(others);
                    return mine;
                }
            } else {
                others.add(frame);
            }
        }
    }

    public CompletableFuture<Integer> closed() {
        return closed;
    }

    public void abort() {
        socket.abort();
    }

    /** The API's frame that starts generation {@code id} of {@code request}. */
    public static String generateFrame(String id, JsonNode request) {
        ObjectNode message = Fixtures.JSON.createObjectNode().put("type", "generate").put("id", id);
        message.set("request", request);
        return message.toString();
    }

    @Override
    public void close() {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    frames.add(Fixtures.JSON.readTree(partial.toString()));
                } catch (Exception e) {
                    frames.add(Fixtures.JSON.createObjectNode().put("type", "unparseable").put("text", partial.toString()));
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
        }
    }
}
