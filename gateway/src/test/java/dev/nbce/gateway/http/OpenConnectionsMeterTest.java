package dev.nbce.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nbce.common.testing.RawWebSocket;
import dev.nbce.gateway.service.GatewayLimits;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@code nbce_connections_open}, the gateway's autoscaling signal, counts real connections to the API
 * port: keep-alive HTTP connections and WebSockets while they are open, none once they close.
 */
class OpenConnectionsMeterTest {
    /** The gauge once it reads {@code expected}, or its last value when a generous wait runs out (closes arrive asynchronously). */
    private static double await(NoWorkerGateway gateway, double expected) throws InterruptedException {
        double value = gauge(gateway);
        for (int i = 0; i < 200 && value != expected; i++) {
            Thread.sleep(50);
            value = gauge(gateway);
        }
        return value;
    }

    private static double gauge(NoWorkerGateway gateway) {
        return gateway.meters.get("nbce.connections.open").gauge().value();
    }

    /** A keep-alive connection that has had one answered request. */
    private static Socket keepAlive(int port) throws Exception {
        Socket socket = new Socket("127.0.0.1", port);
        socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        InputStream in = socket.getInputStream();
        byte[] head = new byte[12];
        for (int n = 0; n < head.length; ) {
            n += in.read(head, n, head.length - n);
        }
        assertEquals("HTTP/1.1 200", new String(head, StandardCharsets.ISO_8859_1));
        return socket;
    }

    @Test
    void httpAndWebSocketConnectionsAreCountedWhileOpen() throws Exception {
        try (NoWorkerGateway gateway = new NoWorkerGateway(GatewayLimits.DEFAULT, HttpSettings.DEFAULT)) {
            assertEquals(0, gauge(gateway));
            Socket first = keepAlive(gateway.port());
            Socket second = keepAlive(gateway.port());
            RawWebSocket ws = RawWebSocket.connect(gateway.port(), "/v1/ws");
            ws.sendText("{\"type\":\"cancel\",\"id\":\"x\"}");
            ws.readText(); // the socket is served
            assertEquals(3, await(gateway, 3), "two HTTP connections and a WebSocket");
            first.close();
            ws.close();
            assertEquals(1, await(gateway, 1), "closed ones leave the count, the upgraded one too");
            second.close();
            assertEquals(0, await(gateway, 0));
        }
    }
}
