package dev.nbce.gateway.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.util.Arrays;
import java.util.Base64;

/** RFC 6455 §4.2.1: what a client's opening handshake must carry, checked before Vert.x sees it. */
final class WebSocketHandshake {
    private WebSocketHandshake() {}

    /** Why the request is not a valid opening handshake, or null when it is. */
    static String problem(HttpServerRequest request) {
        if (!"websocket".equalsIgnoreCase(trimmed(request.getHeader(HttpHeaders.UPGRADE)))) {
            return "expected a WebSocket upgrade (Upgrade: websocket)";
        }
        String connection = request.getHeader(HttpHeaders.CONNECTION);
        if (connection == null || Arrays.stream(connection.split(",")).noneMatch(t -> t.trim().equalsIgnoreCase("upgrade"))) {
            return "a WebSocket upgrade needs Connection: Upgrade";
        }
        if (!validKey(request.getHeader("Sec-WebSocket-Key"))) {
            return "Sec-WebSocket-Key must be 16 bytes in base64";
        }
        if (wrongVersion(request)) {
            return "only WebSocket version 13 is supported";
        }
        return null;
    }

    static boolean wrongVersion(HttpServerRequest request) {
        return !"13".equals(trimmed(request.getHeader("Sec-WebSocket-Version")));
    }

    private static boolean validKey(String key) {
        try {
            return key != null && Base64.getDecoder().decode(key.trim()).length == 16;
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
    }

    private static String trimmed(String value) {
        return value == null ? null : value.trim();
    }
}
