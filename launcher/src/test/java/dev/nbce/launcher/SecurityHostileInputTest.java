package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.gateway.request.Json;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.common.testing.Http;
import dev.nbce.common.testing.RawWebSocket;
import dev.nbce.gateway.request.Json;
import dev.nbce.common.testing.StartsCluster;
import dev.nbce.launcher.cluster.ClusterCertificates;
import dev.nbce.launcher.cluster.ClusterTls;
import io.vertx.core.Promise;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.NodeInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 12, item 5: the hostile-input campaign for what the issue adds — event-bus handshakes without
 * a certificate, with an expired one or one from another CA, plain bytes on the TLS port; oversized
 * frames before auth, sockets that never authenticate, auth floods, socket floods, foreign Origins,
 * keys in URLs. One test per input against one cluster: every input must get its refusal and leave the
 * cluster up; two well-formed requests (one sent before the campaign, one after) must give their exact
 * reference ids, and the logs must hold no key and no prompt. The groups run in order: the lock-out
 * needs the wrong keys before it, the last group closes the cluster to read the whole log.
 */
@StartsCluster
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
class SecurityHostileInputTest {
    private static final String KEY = "campaign-key-7f3a";
    private static final String PROMPT_MARKER = "zebra-quokka-4711";

    private static ClusterTls member;
    private static ClusterTls expired;
    private static ClusterTls foreign;
    private static final ByteArrayOutputStream LOGS = new ByteArrayOutputStream();
    private static PrintStream originalErr;
    private static TestCluster cluster;
    private static int api;
    private static JsonNode reference;
    private static CompletableFuture<HttpResponse<String>> before;

    @BeforeAll
    static void startCluster() throws Exception {
        Path dir = Files.createTempDirectory("nbce-hostile-tls");
        ClusterCertificates ca = ClusterCertificates.authority(dir.resolve("ca"), "campaign CA", 30);
        member = ca.issue("member", List.of("IP:127.0.0.1"), 30);
        expired = ca.issue("expired", List.of("IP:127.0.0.1"), -1);
        foreign = ClusterCertificates.authority(dir.resolve("other"), "other CA", 30)
                .issue("foreign", List.of("IP:127.0.0.1"), 30);
        Map<String, String> env = Map.of("NBCE_API_KEYS", KEY, "NBCE_WS_AUTH_TIMEOUT_MS", "1000",
                "NBCE_MAX_SOCKETS_PER_ADDRESS", "8", "NBCE_MAX_AUTH_FAILURES_PER_MINUTE", "10", "NBCE_METRICS_PORT", "0");
        originalErr = System.err;
        System.setErr(new PrintStream(new Tee(originalErr, LOGS), true, StandardCharsets.UTF_8));
        cluster = new TestCluster(TestCluster.newSettings().withTls(member), Fixtures.tinyLlama(), "tiny-llama", 1, env);
        api = cluster.gateway().port();
        reference = Fixtures.tinyLlamaReference().get("nbce").get(0);
        before = generate();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        closeCluster();
    }

    private static void closeCluster() throws Exception {
        try {
            if (cluster != null) {
                cluster.close();
                cluster = null;
            }
        } finally {
            if (originalErr != null) {
                System.setErr(originalErr);
            }
        }
    }

    /** The input must be refused as {@code refusedRight} checks, and the cluster must be up afterwards. */
    private static void assertRefused(String name, Input input) throws Exception {
        assertTrue(input.refusedRight(), name + ": not refused as it should be");
        assertEquals(200, Http.get(cluster.baseUrl() + "/health").statusCode(), name + ": the gateway crashed");
        assertEquals(1, cluster.gateway().backend().registry().liveCount(), name + ": the worker was lost");
    }

    private interface Input {
        boolean refusedRight() throws Exception;
    }

    @Nested
    @Order(1)
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class EventBus {
        /** The event-bus ports of the cluster's members, as the cluster manager publishes them: gateway first. */
        private int gatewayPort;
        private int workerPort;

        @BeforeAll
        void findPorts() throws Exception {
            ClusterManager manager = ((VertxInternal) cluster.gateway().vertx()).clusterManager();
            gatewayPort = manager.getNodeInfo().port();
            List<String> others = new ArrayList<>(manager.getNodes());
            others.remove(manager.getNodeId());
            assertEquals(1, others.size(), "one worker besides the gateway: " + manager.getNodes());
            Promise<NodeInfo> worker = Promise.promise();
            manager.getNodeInfo(others.get(0), worker);
            workerPort = worker.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).port();
        }

        private int port(String node) {
            return node.equals("gateway") ? gatewayPort : workerPort;
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"gateway", "worker"})
        void aMemberCertificateIsAccepted(String node) throws Exception {
            assertTrue(handshakeAccepted(port(node), member), "control: a member certificate is accepted on the " + node);
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"gateway", "worker"})
        void plainBytesAreRefused(String node) throws Exception {
            assertRefused("plain bytes on the " + node + "'s event-bus port", () -> plainBytesRefused(port(node)));
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"gateway", "worker"})
        void tlsWithoutACertificateIsRefused(String node) throws Exception {
            assertRefused("TLS without a certificate on the " + node, () -> !handshakeAccepted(port(node), null));
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"gateway", "worker"})
        void anExpiredCertificateIsRefused(String node) throws Exception {
            assertRefused("TLS with an expired certificate on the " + node, () -> !handshakeAccepted(port(node), expired));
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"gateway", "worker"})
        void anotherCasCertificateIsRefused(String node) throws Exception {
            assertRefused("TLS with another CA's certificate on the " + node, () -> !handshakeAccepted(port(node), foreign));
        }
    }

    @Nested
    @Order(2)
    class BeforeAuth {
        /** Oversized frames before auth, refused on their header. */
        @ParameterizedTest(name = "{0} bytes")
        @ValueSource(longs = {4097, 65_536, 1L << 20, 16L << 20, 1L << 40})
        void anOversizedFrameIsRefusedOnItsHeader(long size) throws Exception {
            assertRefused("pre-auth frame of " + size + " bytes", () -> {
                try (RawWebSocket ws = RawWebSocket.open("127.0.0.1", api, "/v1/ws")) {
                    ws.sendRaw(RawWebSocket.headerOnly(size));
                    return ws.closeCode() == 1008;
                }
            });
        }

        @Test
        void threeFragmentsOf2KibAreRefused() throws Exception {
            assertRefused("pre-auth message of 3 x 2 KiB fragments", () -> {
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
        }

        @Test
        void aSocketThatNeverAuthenticatesIsClosed() throws Exception {
            assertRefused("socket that never authenticates", () -> {
                try (RawWebSocket ws = RawWebSocket.open("127.0.0.1", api, "/v1/ws")) {
                    return ws.closeCode() == 1008;
                }
            });
        }

        @Test
        void anApiKeyInTheUrlDoesNotAuthenticate() throws Exception {
            assertRefused("API key in the WebSocket URL", () -> {
                try (RawWebSocket ws = RawWebSocket.open("127.0.0.1", api, "/v1/ws?api_key=" + KEY)) {
                    ws.sendText("{\"type\":\"cancel\",\"id\":\"x\"}");
                    String reply = ws.nextText();
                    return reply != null && reply.contains("\"unauthorized\"");
                }
            });
        }
    }

    /** Auth flood from 127.0.0.2: ten wrong keys, each closing its socket, then the address is locked out. */
    @Nested
    @Order(3)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class AuthFlood {
        @ParameterizedTest(name = "wrong key {0}")
        @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
        @Order(1)
        void aWrongKeyClosesTheSocket(int i) throws Exception {
            String guess = "guess-" + i + "-" + PROMPT_MARKER;
            assertRefused("wrong key " + i, () -> {
                try (RawWebSocket ws = RawWebSocket.open("127.0.0.2", api, "/v1/ws")) {
                    ws.sendText("{\"type\":\"auth\",\"api_key\":\"" + guess + "\"}");
                    return ws.closeCode() == 1008;
                }
            });
        }

        @ParameterizedTest(name = "upgrade {0}")
        @ValueSource(ints = {0, 1, 2, 3, 4})
        @Order(2)
        void anUpgradeAfterTheLockOutIsRefused(int i) throws Exception {
            assertRefused("upgrade after the lock-out " + i, () -> {
                try (RawWebSocket ws = RawWebSocket.open("127.0.0.2", api, "/v1/ws")) {
                    return ws.statusCode() == 429;
                }
            });
        }

        @Test
        @Order(3)
        void theRightBearerKeyFromTheLockedAddressWaits() throws Exception {
            assertRefused("right Bearer key from the locked address",
                    () -> rawHttpStatus("127.0.0.2", api, "GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + KEY
                            + "\r\nConnection: close\r\n\r\n") == 429);
        }
    }

    /** Socket flood from 127.0.0.3: eight may open, no more. */
    @Nested
    @Order(4)
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class SocketFlood {
        private final List<RawWebSocket> held = new ArrayList<>();

        @BeforeAll
        void openEight() throws Exception {
            for (int i = 0; i < 8; i++) {
                held.add(RawWebSocket.open("127.0.0.3", api, "/v1/ws"));
            }
            assertTrue(held.stream().allMatch(ws -> ws.statusCode() == 101), "eight sockets may open");
        }

        @AfterAll
        void closeThem() throws IOException {
            for (RawWebSocket ws : held) {
                ws.close();
            }
        }

        @ParameterizedTest(name = "socket {0}")
        @ValueSource(ints = {9, 10, 11, 12})
        void aSocketBeyondEightFromOneAddressIsRefused(int socket) throws Exception {
            assertRefused("socket " + socket + " from one address", () -> {
                try (RawWebSocket ws = RawWebSocket.open("127.0.0.3", api, "/v1/ws")) {
                    return ws.statusCode() == 429;
                }
            });
        }
    }

    /** Foreign Origins: upgrades, a simple cross-site POST, a preflight; /metrics only on its own port. */
    @Nested
    @Order(5)
    class Origins {
        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"https://evil.example", "null", "http://127.0.0.1.evil.example", "http://127.0.0.1:1"})
        void anUpgradeFromAForeignOriginIsRefused(String origin) throws Exception {
            assertRefused("upgrade from Origin " + origin, () -> {
                try (RawWebSocket ws = RawWebSocket.open("127.0.0.1", api, "/v1/ws", "Origin: " + origin)) {
                    return ws.statusCode() == 403;
                }
            });
        }

        @Test
        void aCrossSiteTextPlainPostIsRefused() throws Exception {
            assertRefused("cross-site text/plain POST", () -> Http.send(Http.request(cluster.baseUrl() + "/v1/generate",
                    "Origin", "https://evil.example", "Content-Type", "text/plain", "Authorization", "Bearer " + KEY)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"question\":\"" + PROMPT_MARKER + "\"}"))).statusCode() == 403);
        }

        @Test
        void aPreflightFromAForeignOriginIsRefused() throws Exception {
            assertRefused("preflight from a foreign Origin", () -> Http.send(Http.request(cluster.baseUrl() + "/v1/generate",
                    "Origin", "https://evil.example", "Access-Control-Request-Method", "POST")
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody())).statusCode() == 403);
        }

        @Test
        void metricsAreNotOnTheApiPort() throws Exception {
            assertRefused("/metrics on the API port", () -> Http.get(cluster.baseUrl() + "/metrics").statusCode() == 404);
            String metrics = Http.get("http://127.0.0.1:" + cluster.gateway().metricsPort() + "/metrics").body();
            assertTrue(metrics.contains("nbce_"), "the metrics port serves the gateway's meters");
        }
    }

    @Nested
    @Order(6)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class AfterTheCampaign {
        @Test
        @Order(1)
        void requestsBeforeAndAfterGetTheirExactReferenceIds() throws Exception {
            CompletableFuture<HttpResponse<String>> after = generate();
            for (CompletableFuture<HttpResponse<String>> response : List.of(before, after)) {
                HttpResponse<String> done = response.get(180, TimeUnit.SECONDS);
                assertEquals(200, done.statusCode(), done.body());
                assertArrayEquals(Fixtures.ints(reference.get("generated_ids")),
                        Fixtures.ints(Json.MAPPER.readTree(done.body()).get("token_ids")), "wrong answer");
            }
        }

        @Test
        @Order(2)
        void theLogsHoldNoKeyAndNoPrompt() throws Exception {
            closeCluster(); // the whole log, up to the cluster's last line
            String logged = LOGS.toString(StandardCharsets.UTF_8);
            assertFalse(logged.contains(reference.get("question").asText()), "the question in the logs");
            assertFalse(logged.contains(reference.get("contexts").get(0).asText()), "a context in the logs");
            assertTrue(logged.contains("event=end"), "the request log was captured");
            assertFalse(logged.contains(KEY), "a key in the logs");
            assertFalse(logged.contains(PROMPT_MARKER), "prompt text or a guessed key in the logs");
        }
    }

    private static CompletableFuture<HttpResponse<String>> generate() {
        return Http.postJsonAsync(cluster.baseUrl() + "/v1/generate", ClusterExactnessTest.requestJson(reference).toString(),
                "Authorization", "Bearer " + KEY);
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
