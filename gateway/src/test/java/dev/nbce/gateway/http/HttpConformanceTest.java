package dev.nbce.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.error.ClientText;
import dev.nbce.common.testing.Http;
import dev.nbce.gateway.request.Json;
import dev.nbce.gateway.service.GatewayLimits;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * HTTP/1.1 at the byte level (RFC 9112): ambiguous framing is refused and the connection closed,
 * h2c upgrades are ignored, every error Vert.x or Netty would have answered in plain text is our
 * JSON error, probes answer HEAD, and a connection that never finishes its first request is closed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpConformanceTest {
    private NoWorkerGateway gateway;

    @BeforeAll
    void start() throws Exception {
        gateway = new NoWorkerGateway(GatewayLimits.DEFAULT, HttpSettings.DEFAULT.withHeaderTimeoutMillis(1500));
    }

    @AfterAll
    void stop() throws Exception {
        gateway.close();
    }

    /** What came back for one raw request: the bytes, and whether the server closed the connection. */
    private record Exchange(String response, boolean closed) {
        int status() {
            return Integer.parseInt(response.substring(9, 12));
        }

        JsonNode errorBody() throws Exception {
            return Json.MAPPER.readTree(response.substring(response.indexOf("\r\n\r\n") + 4)).get("error");
        }
    }

    private Exchange send(String raw) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(1000);
            socket.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    out.write(buffer, 0, n);
                }
                return new Exchange(out.toString(StandardCharsets.ISO_8859_1), true);
            } catch (SocketTimeoutException stillOpen) {
                return new Exchange(out.toString(StandardCharsets.ISO_8859_1), false);
            }
        }
    }

    private void assertJsonError(Exchange exchange, int status, String code) throws Exception {
        assertEquals(status, exchange.status(), exchange.response());
        assertTrue(exchange.response().toLowerCase().contains("content-type: application/json"), exchange.response());
        assertEquals(code, exchange.errorBody().get("code").asText(), exchange.response());
    }

    @Test
    void ambiguousFramingIsRefusedAndTheConnectionClosed() throws Exception {
        Exchange both = send("POST /v1/generate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\nContent-Length: 5\r\n\r\nhello");
        assertJsonError(both, 400, "bad_request");
        assertTrue(both.closed(), "closed after refusing ambiguous framing");
        Exchange unknown = send("POST /v1/generate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n");
        assertJsonError(unknown, 400, "bad_request");
        assertTrue(unknown.closed());
    }

    /** RFC 9112 §7.1.1: chunk extensions (bare names, token and quoted values) are parsed and ignored. */
    @Test
    void chunkExtensionsAreAccepted() throws Exception {
        for (String extension : new String[] {"", ";name", ";name=token", ";a=b;c=\"quoted\"", " ;name=token"}) {
            Exchange exchange = send("POST /v1/generate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n2" + extension + "\r\n{}\r\n0\r\n\r\n");
            // The body is read whole ({} lacks a question): the request's own error, not a dropped connection.
            assertJsonError(exchange, 400, "bad_request");
            assertTrue(exchange.errorBody().get("message").asText().contains("question"), extension + ": " + exchange.response());
        }
    }

    @Test
    void anH2cUpgradeIsAnsweredAsHttp11() throws Exception {
        Exchange h2c = send("GET /health HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n");
        assertEquals(200, h2c.status(), h2c.response());
        assertTrue(h2c.response().endsWith("{\"status\":\"ok\"}"), h2c.response());
    }

    @Test
    void whatVertxWouldAnswerInPlainTextIsOurJsonError() throws Exception {
        assertJsonError(send("GET /v1/%zz HTTP/1.1\r\nHost: x\r\n\r\n"), 400, "bad_request");
        assertJsonError(send("POST /v1/generate HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: 7\r\n\r\n%%%&&=="), 400, "bad_request");
        assertJsonError(send("POST /v1/generate HTTP/1.1\r\nHost: x\r\nExpect: tea\r\nContent-Length: 2\r\n\r\n{}"),
                417, "expectation_failed");
        Exchange badHeader = send("GET /health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n");
        assertJsonError(badHeader, 400, "bad_request");
        assertTrue(badHeader.closed());
        assertJsonError(send("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"), 414, "uri_too_long");
        assertJsonError(send("GET /v1/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n"), 400, "bad_request");
        Exchange version = send("GET /v1/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Version: 8\r\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\n\r\n");
        assertJsonError(version, 426, "upgrade_required");
        assertTrue(version.response().contains("Sec-WebSocket-Version: 13"), version.response());
    }

    /** Issue 24: a body of two JSON values is refused in our words on every JSON endpoint, naming no library class. */
    @Test
    void twoJsonValuesInOneBodyAreRefusedInOurWords() throws Exception {
        for (String path : new String[] {"/v1/generate", "/v1/chat/completions", "/v1/completions", "/tokenize", "/detokenize"}) {
            for (String body : new String[] {"{\"a\":1}{\"b\":2}", "{\"question\":\"q\"}\n{\"question\":\"q\"}"}) {
                HttpResponse<String> response = Http.postJson("http://127.0.0.1:" + gateway.port() + path, body);
                assertEquals(400, response.statusCode(), path + " " + body + ": " + response.body());
                JsonNode error = Json.MAPPER.readTree(response.body()).get("error");
                String message = error.get("message").asText();
                assertTrue(message.startsWith("malformed JSON at line "), path + ": " + message);
                assertTrue(message.endsWith("a second JSON value follows the first; send exactly one JSON object"),
                        path + ": " + message);
                assertFalse(ClientText.namesCode(message), path + ": " + message);
                assertFalse(response.body().contains("fasterxml") || response.body().contains("jackson"), response.body());
            }
        }
    }

    @Test
    void probesAnswerHead() throws Exception {
        Exchange health = send("HEAD /health HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(200, health.status(), health.response());
        assertTrue(health.response().endsWith("\r\n\r\n"), "no body on HEAD: " + health.response());
        assertEquals(503, send("HEAD /ready HTTP/1.1\r\nHost: x\r\n\r\n").status(), "no workers: not ready");
    }

    @Test
    void aConnectionThatNeverFinishesItsFirstRequestIsClosed() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.ISO_8859_1));
            long start = System.nanoTime();
            assertEquals(-1, socket.getInputStream().read(), "closed without an answer");
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(seconds < 8, "closed by the 1.5 s first-request deadline, not by the client: " + seconds);
        }
    }
}
