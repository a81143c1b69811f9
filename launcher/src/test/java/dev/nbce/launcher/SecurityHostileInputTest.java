package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.request.Json;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.common.testing.RawWebSocket;
import dev.nbce.launcher.cluster.ClusterCertificates;
import dev.nbce.launcher.cluster.ClusterTls;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, item 5: the hostile-input campaign for what the issue adds — event-bus handshakes without
 * a certificate, with an expired one or one from another CA, plain bytes on the TLS port; oversized
 * frames before auth, sockets that never authenticate, auth floods, socket floods, foreign Origins,
 * keys in URLs. Every input must get its refusal; the cluster must stay up, two well-formed requests
 * (one sent before, one after) must give their exact reference ids, and the logs must hold no key and no prompt.
 */
class SecurityHostileInputTest {
    private static final String KEY = "campaign-key-7f3a";
    private static final String PROMPT_MARKER = "zebra-quokka-4711";
    // HTTP/1.1: the JDK client's h2c upgrade once hung a request to the metrics port for good.
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(java.time.Duration.ofSeconds(10)).build();

    private int tried;
    private int crashes;
    private final List<String> wrong = new ArrayList<>();

    @Test
    void everyHostileInputIsRefusedAndNothingLeaks() throws Exception {
        Path dir = Files.createTempDirectory("nbce-hostile-tls");
        ClusterCertificates ca = ClusterCertificates.authority(dir.resolve("ca"), "campaign CA", 30);
        ClusterTls member = ca.issue("member", List.of("IP:127.0.0.1"), 30);
        ClusterTls expired = ca.issue("expired", List.of("IP:127.0.0.1"), -1);
        ClusterTls foreign = ClusterCertificates.authority(dir.resolve("other"), "other CA", 30)
                .issue("foreign", List.of("IP:127.0.0.1"), 30);
        Map<String, String> env = Map.of("NBCE_API_KEYS", KEY, "NBCE_WS_AUTH_TIMEOUT_MS", "1000",
                "NBCE_MAX_SOCKETS_PER_ADDRESS", "8", "NBCE_MAX_AUTH_FAILURES_PER_MINUTE", "10", "NBCE_METRICS_PORT", "0");

        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        PrintStream originalErr = System.err;
        System.setErr(new PrintStream(new Tee(originalErr, logs), true, StandardCharsets.UTF_8));
        try (TestCluster cluster = new TestCluster(TestCluster.newSettings().withTls(member), Fixtures.tinyLlama(),
                "tiny-llama", 1, env)) {
            int api = cluster.gateway().port();
            JsonNode reference = Fixtures.tinyLlamaReference().get("nbce").get(0);
            CompletableFuture<HttpResponse<String>> before = generate(cluster, reference);

            // Event bus: the gateway's and the worker's TLS ports.
            List<Integer> busPorts = List.of(busPort(cluster.gateway().vertx()), busPort(workerVertx(cluster)));
            for (int port : busPorts) {
                assertTrue(handshakeAccepted(port, member), "control: a member certificate is accepted on " + port);
                input(cluster, "plain bytes on event-bus port " + port, () -> plainBytesRefused(port));
                input(cluster, "TLS without a certificate on " + port, () -> !handshakeAccepted(port, null));
                input(cluster, "TLS with an expired certificate on " + port, () -> !handshakeAccepted(port, expired));
                input(cluster, "TLS with another CA's certificate on " + port, () -> !handshakeAccepted(port, foreign));
            }

            // Oversized frames before auth, refused on their header.
            for (long size : new long[] {4097, 65_536, 1L << 20, 16L << 20, 1L << 40}) {
                input(cluster, "pre-auth frame of " + size + " bytes", () -> {
                    try (RawWebSocket ws = RawWebSocket.open("127.0.0.1", api, "/v1/ws")) {
                        ws.sendRaw(RawWebSocket.headerOnly(size));
                        return ws.closeCode() == 1008;
                    }
                });
            }
            input(cluster, "pre-auth message of 3 x 2 KiB fragments", () -> {
                try (RawWebSocket ws = RawWebSocket.open("127.0.0.1", api, "/v1/ws")) {
                    byte[] fragment = new byte[2 + 2 + 4 + 2048];
                    fragment[1] = (byte) (0x80 | 126);
                    fragment[2] = 0x08; // 2048
                    Arrays.fill(fragment, 8, fragment.length, (byte) 'a');
                    fragment[0] = 0x01; // text, not final
                    ws.sendRaw(fragment.clone());
                    fragment[0] = 0x00; // continuation
                    ws.sendRaw(fragment.clone());
                    fragment[0] = (byte) 0x80; // final continuation
                    ws.sendRaw(fragment);
                    return ws.closeCode() == 1008;
                }
            });
            input(cluster, "socket that never authenticates", () -> {
                try (RawWebSocket ws = RawWebSocket.open("127.0.0.1", api, "/v1/ws")) {
                    return ws.closeCode() == 1008;
                }
            });
            input(cluster, "API key in the WebSocket URL", () -> {
                try (RawWebSocket ws = RawWebSocket.open("127.0.0.1", api, "/v1/ws?api_key=" + KEY)) {
                    ws.sendText("{\"type\":\"cancel\",\"id\":\"x\"}");
                    String reply = ws.nextText();
                    return reply != null && reply.contains("\"unauthorized\"");
                }
            });

            // Auth flood from 127.0.0.2: ten wrong keys, each closing its socket, then the address is locked out.
            for (int i = 0; i < 10; i++) {
                String guess = "guess-" + i + "-" + PROMPT_MARKER;
                input(cluster, "wrong key " + i, () -> {
                    try (RawWebSocket ws = RawWebSocket.open("127.0.0.2", api, "/v1/ws")) {
                        ws.sendText("{\"type\":\"auth\",\"api_key\":\"" + guess + "\"}");
                        return ws.closeCode() == 1008;
                    }
                });
            }
            for (int i = 0; i < 5; i++) {
                input(cluster, "upgrade after the lock-out " + i, () -> {
                    try (RawWebSocket ws = RawWebSocket.open("127.0.0.2", api, "/v1/ws")) {
                        return ws.statusCode() == 429;
                    }
                });
            }
            input(cluster, "right Bearer key from the locked address",
                    () -> rawHttpStatus("127.0.0.2", api, "GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + KEY
                            + "\r\nConnection: close\r\n\r\n") == 429);

            // Socket flood from 127.0.0.3: eight may open, no more.
            List<RawWebSocket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    held.add(RawWebSocket.open("127.0.0.3", api, "/v1/ws"));
                }
                assertTrue(held.stream().allMatch(ws -> ws.statusCode() == 101), "eight sockets may open");
                for (int i = 0; i < 4; i++) {
                    input(cluster, "socket " + (9 + i) + " from one address", () -> {
                        try (RawWebSocket ws = RawWebSocket.open("127.0.0.3", api, "/v1/ws")) {
                            return ws.statusCode() == 429;
                        }
                    });
                }
            } finally {
                for (RawWebSocket ws : held) {
                    ws.close();
                }
            }

            // Foreign Origins: upgrades, a simple cross-site POST, a preflight.
            for (String origin : List.of("https://evil.example", "null", "http://127.0.0.1.evil.example", "http://127.0.0.1:1")) {
                input(cluster, "upgrade from Origin " + origin, () -> {
                    try (RawWebSocket ws = RawWebSocket.open("127.0.0.1", api, "/v1/ws", "Origin: " + origin)) {
                        return ws.statusCode() == 403;
                    }
                });
            }
            input(cluster, "cross-site text/plain POST", () -> HTTP.send(HttpRequest.newBuilder(URI.create(cluster.baseUrl() + "/v1/generate"))
                    .header("Origin", "https://evil.example").header("Content-Type", "text/plain")
                    .header("Authorization", "Bearer " + KEY)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"question\":\"" + PROMPT_MARKER + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode() == 403);
            input(cluster, "preflight from a foreign Origin", () -> HTTP.send(HttpRequest.newBuilder(URI.create(cluster.baseUrl() + "/v1/generate"))
                    .header("Origin", "https://evil.example").header("Access-Control-Request-Method", "POST")
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 403);
            input(cluster, "/metrics on the API port", () -> HTTP.send(HttpRequest.newBuilder(URI.create(cluster.baseUrl() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode() == 404);
            String metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.gateway().metricsPort() + "/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.contains("nbce_"), "the metrics port serves the gateway's meters");

            CompletableFuture<HttpResponse<String>> after = generate(cluster, reference);
            for (CompletableFuture<HttpResponse<String>> response : List.of(before, after)) {
                HttpResponse<String> done = response.get(180, TimeUnit.SECONDS);
                assertEquals(200, done.statusCode(), done.body());
                assertArrayEquals(Fixtures.ints(reference.get("generated_ids")),
                        Fixtures.ints(Json.MAPPER.readTree(done.body()).get("token_ids")), "wrong answer");
            }
        } finally {
            System.setErr(originalErr);
        }
        String logged = logs.toString(StandardCharsets.UTF_8);
        JsonNode reference = Fixtures.tinyLlamaReference().get("nbce").get(0);
        assertFalse(logged.contains(reference.get("question").asText()), "the question in the logs");
        assertFalse(logged.contains(reference.get("contexts").get(0).asText()), "a context in the logs");
        assertTrue(logged.contains("event=end"), "the request log was captured");
        assertFalse(logged.contains(KEY), "a key in the logs");
        assertFalse(logged.contains(PROMPT_MARKER), "prompt text or a guessed key in the logs");
        System.out.printf("hostile-security: inputs=%d crashes=%d wrong=%d%n", tried, crashes, wrong.size());
        assertEquals(0, crashes, "crashes");
        assertEquals(List.of(), wrong, "inputs not refused as they should be");
    }

    private interface Input {
        boolean refusedRight() throws Exception;
    }

    private void input(TestCluster cluster, String name, Input input) throws Exception {
        tried++;
        boolean right;
        try {
            right = input.refusedRight();
        } catch (IOException e) {
            right = false;
            name += " (" + e + ")";
        }
        if (!right) {
            wrong.add(name);
        }
        boolean healthy = HTTP.send(HttpRequest.newBuilder(URI.create(cluster.baseUrl() + "/health")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode() == 200 && cluster.gateway().backend().registry().liveCount() == 1;
        if (!healthy) {
            crashes++;
        }
    }

    private static CompletableFuture<HttpResponse<String>> generate(TestCluster cluster, JsonNode reference) {
        ObjectNode request = ClusterExactnessTest.requestJson(reference);
        return HTTP.sendAsync(HttpRequest.newBuilder(URI.create(cluster.baseUrl() + "/v1/generate"))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(request.toString())).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Vertx workerVertx(TestCluster cluster) throws Exception {
        java.lang.reflect.Field field = cluster.workers().get(0).getClass().getDeclaredField("vertx");
        field.setAccessible(true);
        return (Vertx) field.get(cluster.workers().get(0));
    }

    private static int busPort(Vertx vertx) {
        return ((VertxInternal) vertx).clusterManager().getNodeInfo().port();
    }

    /** The event-bus server keeps an accepted TLS session open waiting for frames; a refused one ends with an alert or EOF. */
    private static boolean handshakeAccepted(int port, ClusterTls identity) throws Exception {
        try (SSLSocket socket = (SSLSocket) PemIdentity.client(identity).getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(1500);
            socket.startHandshake();
            socket.getInputStream().read();
            return false;
        } catch (SocketTimeoutException waiting) {
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    private static boolean plainBytesRefused(int port) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write("\0\0\0\u0010not-tls-at-all-garbage".getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException kept) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private static int rawHttpStatus(String local, int port, String request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), port, InetAddress.getByName(local), 0)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            String head = new String(socket.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1);
            return Integer.parseInt(head.substring(9, 12));
        }
    }

    /** Copies what the process writes to stderr (slf4j-simple's request log) into a buffer too. */
    private static final class Tee extends OutputStream {
        private final OutputStream first;
        private final OutputStream second;

        Tee(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            first.write(b, off, len);
            second.write(b, off, len);
        }
    }
}
