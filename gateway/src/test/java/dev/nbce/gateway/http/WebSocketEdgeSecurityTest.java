package dev.nbce.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.gateway.request.Json;
import dev.nbce.common.testing.Http;
import dev.nbce.common.testing.RawWebSocket;
import dev.nbce.gateway.request.Json;
import dev.nbce.gateway.service.GatewayLimits;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, item 3: the WebSocket edge authenticates before it trusts. Each test starts its own
 * gateway (no workers) because lock-outs and socket counts are per server.
 */
class WebSocketEdgeSecurityTest {
    private static final String KEY = "edge-test-key";

    private static final EdgeLimits EDGE = EdgeLimits.DEFAULT;

    /** With API keys on (KEY) and these edge limits. */
    private static NoWorkerGateway gateway(EdgeLimits edge) throws Exception {
        return gateway(HttpSettings.DEFAULT.withEdge(edge));
    }

    private static NoWorkerGateway gateway(HttpSettings http) throws Exception {
        return new NoWorkerGateway(GatewayLimits.DEFAULT, http.withApiKeys(Set.of(KEY)));
    }

    private static NoWorkerGateway gateway() throws Exception {
        return gateway(EDGE);
    }

    private static void assertClosedWith(RawWebSocket ws, int code) throws Exception {
        RawWebSocket.Frame close = ws.readUntilClose();
        assertNotNull(close, "a close frame, not a bare TCP drop");
        assertEquals(code, close.closeCode(), "close reason: " + close.text());
    }

    private static JsonNode nextJson(RawWebSocket ws) throws Exception {
        return Json.MAPPER.readTree(ws.readText().text());
    }

    private static void auth(RawWebSocket ws, String key) throws IOException {
        ws.sendText("{\"type\":\"auth\",\"api_key\":\"" + key + "\"}");
    }

    @Test
    void aLargeFrameBeforeAuthIsRefusedOnItsHeader() throws Exception {
        try (NoWorkerGateway gateway = gateway(); RawWebSocket ws = RawWebSocket.connect(gateway.port(), "/v1/ws")) {
            ws.sendRaw(RawWebSocket.headerOnly(16L << 20)); // 16 MiB announced; the payload is never sent
            assertClosedWith(ws, 1008);
        }
    }

    @Test
    void aPreAuthMessageSplitIntoSmallFramesIsLimitedToo() throws Exception {
        try (NoWorkerGateway gateway = gateway(); RawWebSocket ws = RawWebSocket.connect(gateway.port(), "/v1/ws")) {
            byte[] part = new byte[2048];
            java.util.Arrays.fill(part, (byte) 'a');
            ws.send(false, RawWebSocket.TEXT, part);
            ws.send(false, RawWebSocket.CONTINUATION, part);
            ws.send(true, RawWebSocket.CONTINUATION, part);
            assertClosedWith(ws, 1008);
        }
    }

    @Test
    void afterAuthTheFullMessageLimitApplies() throws Exception {
        try (NoWorkerGateway gateway = gateway(); RawWebSocket ws = RawWebSocket.connect(gateway.port(), "/v1/ws")) {
            ws.sendText("{\"type\":\"cancel\",\"id\":\"x\"}");
            assertEquals("unauthorized", nextJson(ws).get("code").asText(), "small frames before auth are answered");
            auth(ws, KEY);
            String big = "{\"type\":\"generate\",\"id\":\"g\",\"request\":{\"question\":\"" + "q".repeat(20_000) + "\",\"bogus\":1}}";
            ws.sendText(big); // 20 kB: over the pre-auth limit, within the request limit
            assertEquals("bad_request", nextJson(ws).get("code").asText());
        }
    }

    /** Issue 24: once the pre-auth limit has left the pipeline, a protocol violation still gets its close frame. */
    @Test
    void aProtocolViolationAfterAuthClosesWith1002AndACloseFrame() throws Exception {
        try (NoWorkerGateway gateway = gateway(); RawWebSocket ws = RawWebSocket.connect(gateway.port(), "/v1/ws")) {
            auth(ws, KEY);
            ws.sendText("{\"type\":\"cancel\",\"id\":\"x\"}");
            assertEquals("unknown_id", nextJson(ws).get("code").asText(), "authenticated");
            ws.send(false, RawWebSocket.TEXT, "{\"type\":".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            ws.send(true, RawWebSocket.TEXT, "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8)); // a continuation was due
            assertClosedWith(ws, 1002);
        }
    }

    @Test
    void aSocketThatDoesNotAuthenticateInTimeIsClosed() throws Exception {
        try (NoWorkerGateway gateway = gateway(new EdgeLimits(EDGE.maxSockets(), EDGE.maxSocketsPerAddress(),
                EDGE.authFailuresPerMinute(), EDGE.preAuthMaxBytes(), 300));
             RawWebSocket ws = RawWebSocket.connect(gateway.port(), "/v1/ws")) {
            long start = System.nanoTime();
            assertClosedWith(ws, 1008);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis >= 250 && millis < 5_000, "closed after " + millis + " ms");
        }
    }

    @Test
    void aWrongKeyClosesTheSocketAndTheUrlCarriesNoKey() throws Exception {
        try (NoWorkerGateway gateway = gateway()) {
            try (RawWebSocket ws = RawWebSocket.connect(gateway.port(), "/v1/ws")) {
                auth(ws, "wrong");
                assertEquals("unauthorized", nextJson(ws).get("code").asText());
                assertClosedWith(ws, 1008);
            }
            try (RawWebSocket ws = RawWebSocket.connect(gateway.port(), "/v1/ws?api_key=" + KEY)) {
                ws.sendText("{\"type\":\"cancel\",\"id\":\"x\"}");
                assertEquals("unauthorized", nextJson(ws).get("code").asText(), "a key in the URL is not accepted");
            }
        }
    }

    @Test
    void authFailuresLockTheAddressOutForTheMinute() throws Exception {
        try (NoWorkerGateway gateway = gateway(new EdgeLimits(EDGE.maxSockets(), EDGE.maxSocketsPerAddress(), 3,
                EDGE.preAuthMaxBytes(), EDGE.authTimeoutMillis()))) {
            for (int i = 0; i < 3; i++) {
                try (RawWebSocket ws = RawWebSocket.connect(gateway.port(), "/v1/ws")) {
                    auth(ws, "guess-" + i);
                    assertClosedWith(ws, 1008);
                }
            }
            IOException refused = assertThrows(IOException.class, () -> RawWebSocket.connect(gateway.port(), "/v1/ws"));
            assertTrue(refused.getMessage().contains(" 429 "), refused.getMessage());
            HttpResponse<String> http = Http.get("http://127.0.0.1:" + gateway.port() + "/v1/models", "Authorization", "Bearer " + KEY);
            assertEquals(429, http.statusCode(), "even the right key waits out the lock-out: " + http.body());
            assertTrue(http.headers().firstValue("Retry-After").isPresent());
        }
    }

    @Test
    void socketsPerAddressAreCapped() throws Exception {
        try (NoWorkerGateway gateway = gateway(new EdgeLimits(EDGE.maxSockets(), 3, EDGE.authFailuresPerMinute(),
                EDGE.preAuthMaxBytes(), EDGE.authTimeoutMillis()))) {
            List<RawWebSocket> open = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    open.add(RawWebSocket.connect(gateway.port(), "/v1/ws"));
                }
                IOException refused = assertThrows(IOException.class, () -> RawWebSocket.connect(gateway.port(), "/v1/ws"));
                assertTrue(refused.getMessage().contains(" 429 "), refused.getMessage());
                open.remove(0).close();
                RawWebSocket again = null;
                for (int attempt = 0; attempt < 50 && again == null; attempt++) {
                    try {
                        again = RawWebSocket.connect(gateway.port(), "/v1/ws");
                    } catch (IOException stillCounted) {
                        Thread.sleep(50);
                    }
                }
                assertNotNull(again, "a closed socket frees its slot");
                open.add(again);
            } finally {
                for (RawWebSocket ws : open) {
                    ws.close();
                }
            }
        }
    }

    @Test
    void foreignOriginsAreRefusedOnUpgradesAndRequests() throws Exception {
        try (NoWorkerGateway gateway = gateway(HttpSettings.DEFAULT.withAllowedOrigins(Set.of("https://chat.example.org")))) {
            int port = gateway.port();
            IOException refused = assertThrows(IOException.class,
                    () -> RawWebSocket.connect(port, "/v1/ws", "Origin: https://evil.example"));
            assertTrue(refused.getMessage().contains(" 403 "), refused.getMessage());
            RawWebSocket.connect(port, "/v1/ws", "Origin: http://127.0.0.1:" + port).close(); // the gateway's own page
            RawWebSocket.connect(port, "/v1/ws", "Origin: https://chat.example.org").close();

            HttpResponse<String> post = Http.send(Http.request("http://127.0.0.1:" + port + "/v1/generate", "Origin", "https://evil.example",
                    "Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("{\"question\":\"hi\"}")));
            assertEquals(403, post.statusCode());
            assertEquals("forbidden", Json.MAPPER.readTree(post.body()).path("error").path("code").asText(), post.body());

            HttpResponse<String> preflight = Http.send(Http.request("http://127.0.0.1:" + port + "/v1/generate", "Origin", "https://chat.example.org",
                    "Access-Control-Request-Method", "POST").method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
            assertEquals(204, preflight.statusCode(), preflight.body());
            assertEquals("https://chat.example.org", preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        }
    }

    @Test
    void withKeysOffThereIsNoProbation() throws Exception {
        try (NoWorkerGateway gateway = new NoWorkerGateway(GatewayLimits.DEFAULT, HttpSettings.DEFAULT);
             RawWebSocket ws = RawWebSocket.connect(gateway.port(), "/v1/ws")) {
            String big = "{\"type\":\"generate\",\"id\":\"g\",\"request\":{\"question\":\"" + "q".repeat(20_000) + "\",\"bogus\":1}}";
            ws.sendText(big);
            assertEquals("bad_request", nextJson(ws).get("code").asText());
        }
    }
}
