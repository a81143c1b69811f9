package dev.nbce.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.testing.RawWebSocket;
import dev.nbce.gateway.request.Json;
import dev.nbce.gateway.service.GatewayLimits;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * RFC 6455 as a server must keep it, driven by a byte-level client that sends what no library would:
 * invalid UTF-8 closes with 1007, protocol violations close with 1002 and a close frame (never a bare
 * TCP drop), a message over the limit gets a {@code too_large} error frame however it arrives (one
 * frame or many fragments) or, past the frame limit, a 1009 close; RSV bits are refused because no
 * extension is ever negotiated.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebSocketConformanceTest {
    /** Small, so over-size messages are cheap to send: frames up to twice this are decoded. */
    private static final int MAX_REQUEST_BYTES = 4096;

    private NoWorkerGateway gateway;

    @BeforeAll
    void start() throws Exception {
        gateway = new NoWorkerGateway(GatewayLimits.DEFAULT.withMaxRequestBytes(MAX_REQUEST_BYTES), HttpSettings.DEFAULT);
    }

    @AfterAll
    void stop() throws Exception {
        gateway.close();
    }

    private RawWebSocket connect(String... headers) throws Exception {
        return RawWebSocket.connect(gateway.port(), "/v1/ws", headers);
    }

    /** The socket still answers: an unknown message type gets its error frame. */
    private static void assertStillUsable(RawWebSocket ws) throws Exception {
        ws.sendText("{\"type\":\"ping?\",\"id\":\"p\"}");
        JsonNode error = Json.MAPPER.readTree(ws.readText().text());
        assertEquals("unknown_type", error.get("code").asText());
    }

    private static void assertClosedWith(RawWebSocket ws, int code) throws Exception {
        RawWebSocket.Frame close = ws.readUntilClose();
        assertNotNull(close, "a close frame, not a bare TCP drop");
        assertEquals(code, close.closeCode(), "close reason: " + new String(close.payload(), StandardCharsets.UTF_8));
    }

    @Test
    void invalidUtf8ClosesWith1007() throws Exception {
        try (RawWebSocket ws = connect()) {
            byte[] bad = "{\"type\":\"generate\",\"id\":\"x\",\"request\":{\"question\":\"\u00e9\"}}".getBytes(StandardCharsets.UTF_8);
            byte[] broken = Arrays.copyOf(bad, bad.length);
            int accent = new String(bad, StandardCharsets.UTF_8).indexOf('\u00e9');
            broken[accent + 1] = (byte) 0x28; // a lead byte followed by a non-continuation byte
            ws.send(true, RawWebSocket.TEXT, broken);
            assertClosedWith(ws, 1007);
        }
        try (RawWebSocket ws = connect()) {
            // Split inside a valid multi-byte character across fragments: still valid, never rejected.
            byte[] text = "{\"type\":\"caf\u00e9\",\"id\":\"u\"}".getBytes(StandardCharsets.UTF_8);
            int split = new String(text, StandardCharsets.UTF_8).indexOf('\u00e9') + 1;
            ws.send(false, RawWebSocket.TEXT, Arrays.copyOfRange(text, 0, split));
            ws.send(true, RawWebSocket.CONTINUATION, Arrays.copyOfRange(text, split, text.length));
            assertEquals("unknown_type", Json.MAPPER.readTree(ws.readText().text()).get("code").asText());
        }
    }

    @Test
    void protocolViolationsCloseWith1002AndACloseFrame() throws Exception {
        byte[] hello = "{}".getBytes(StandardCharsets.UTF_8);
        String[] names = {"unmasked client frame", "reserved opcode 0x3", "reserved opcode 0xB",
                "continuation without a start", "new text frame inside a fragmented one", "ping over 125 bytes",
                "fragmented ping", "non-minimal 16-bit length", "RSV1 without an extension", "RSV3"};
        for (int i = 0; i < names.length; i++) {
            try (RawWebSocket ws = connect()) {
                switch (i) {
                    case 0 -> ws.send(true, 0, RawWebSocket.TEXT, hello, false, false);
                    case 1 -> ws.send(true, 0x3, hello);
                    case 2 -> ws.send(true, 0xB, hello);
                    case 3 -> ws.send(true, RawWebSocket.CONTINUATION, hello);
                    case 4 -> {
                        ws.send(false, RawWebSocket.TEXT, hello);
                        ws.send(true, RawWebSocket.TEXT, hello);
                    }
                    case 5 -> ws.send(true, RawWebSocket.PING, new byte[126]);
                    case 6 -> ws.send(false, RawWebSocket.PING, hello);
                    case 7 -> ws.send(true, 0, RawWebSocket.TEXT, hello, true, true);
                    case 8 -> ws.send(true, 0x4, RawWebSocket.TEXT, hello, true, false);
                    case 9 -> ws.send(true, 0x1, RawWebSocket.TEXT, hello, true, false);
                    default -> throw new IllegalStateException();
                }
                RawWebSocket.Frame close = ws.readUntilClose();
                assertNotNull(close, names[i] + ": a close frame, not a bare TCP drop");
                assertEquals(1002, close.closeCode(), names[i]);
            }
        }
    }

    /** Issue 24: a new data frame where a continuation is due closes with 1002 on the first socket of a fresh server too. */
    @Test
    void aNewTextFrameInsideAFragmentedMessageClosesWith1002OnAFreshServer() throws Exception {
        try (NoWorkerGateway fresh = new NoWorkerGateway(GatewayLimits.DEFAULT, HttpSettings.DEFAULT)) {
            for (int socket = 0; socket < 3; socket++) {
                try (RawWebSocket ws = RawWebSocket.connect(fresh.port(), "/v1/ws")) {
                    ws.send(false, RawWebSocket.TEXT, "{\"type\":".getBytes(StandardCharsets.UTF_8));
                    ws.send(true, RawWebSocket.TEXT, "{}".getBytes(StandardCharsets.UTF_8));
                    assertClosedWith(ws, 1002);
                }
            }
        }
    }

    /** Issue 24: a message of two JSON values gets an invalid_json error in our words; the socket stays usable. */
    @Test
    void twoJsonValuesInOneMessageAreRefusedInOurWords() throws Exception {
        try (RawWebSocket ws = connect()) {
            ws.sendText("{\"type\":\"cancel\",\"id\":\"a\"}{\"type\":\"cancel\",\"id\":\"b\"}");
            String frame = ws.readText().text();
            JsonNode error = Json.MAPPER.readTree(frame);
            assertEquals("invalid_json", error.get("code").asText(), frame);
            assertEquals("malformed JSON at line 1, column 27: a second JSON value follows the first;"
                    + " send exactly one JSON object", error.get("message").asText());
            assertFalse(frame.contains("fasterxml") || frame.contains("jackson"), frame);
            assertStillUsable(ws);
        }
    }

    @Test
    void noExtensionIsNegotiatedEvenWhenOffered() throws Exception {
        try (RawWebSocket ws = connect("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits")) {
            assertFalse(ws.handshakeResponse().toLowerCase().contains("sec-websocket-extensions"), ws.handshakeResponse());
            assertStillUsable(ws);
        }
    }

    @Test
    void oversizedMessagesGetAnErrorFrameHoweverTheyArrive() throws Exception {
        byte[] big = ("{\"type\":\"x\",\"pad\":\"" + "a".repeat(MAX_REQUEST_BYTES) + "\"}").getBytes(StandardCharsets.UTF_8);
        try (RawWebSocket ws = connect()) {
            ws.send(true, RawWebSocket.TEXT, big);
            assertEquals("too_large", Json.MAPPER.readTree(ws.readText().text()).get("code").asText(), "one frame");
            assertStillUsable(ws);
            // The same bytes in 100-byte fragments: each is small, the message is not.
            for (int at = 0; at < big.length; at += 100) {
                byte[] part = Arrays.copyOfRange(big, at, Math.min(big.length, at + 100));
                ws.send(at + 100 >= big.length, at == 0 ? RawWebSocket.TEXT : RawWebSocket.CONTINUATION, part);
            }
            assertEquals("too_large", Json.MAPPER.readTree(ws.readText().text()).get("code").asText(), "fragments");
            assertStillUsable(ws);
        }
        try (RawWebSocket ws = connect()) {
            // One frame past the decoder's own limit (twice the request limit): closed with 1009.
            ws.send(true, RawWebSocket.TEXT, new byte[MAX_REQUEST_BYTES * 2 + 1]);
            assertClosedWith(ws, 1009);
        }
    }

    @Test
    void errorTextNeverEchoesControlCharacters() throws Exception {
        try (RawWebSocket ws = connect()) {
            ws.sendText("{\"type\":\"evil\\r\\nX-Injected: 1\\u0000\",\"id\":\"c\"}");
            String message = Json.MAPPER.readTree(ws.readText().text()).get("message").asText();
            assertTrue(message.chars().noneMatch(Character::isISOControl), "one clean line: " + message);
        }
    }
}
