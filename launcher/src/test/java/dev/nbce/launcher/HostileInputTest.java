package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.gateway.request.Json;
import dev.nbce.common.testing.Http;
import dev.nbce.common.testing.StartsCluster;
import dev.nbce.common.testing.WsClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A bad-input campaign against every endpoint and frame type while a well-formed stream runs on
 * another socket: every bad input gets the right error, no response leaks internals, the stream
 * completes with the ids it gives alone, and the attacked socket stays usable.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@StartsCluster
class HostileInputTest {
    private TestCluster cluster;
    private int tried;

    @BeforeAll
    void start() throws Exception {
        cluster = new TestCluster(Fixtures.tinyLlama(), "tiny-llama", 1, Map.of(
                "NBCE_MAX_REQUEST_BYTES", "65536", "NBCE_MAX_WINDOWS", "8", "NBCE_MAX_NEW_TOKENS", "500"));
    }

    @AfterAll
    void stop() throws Exception {
        cluster.close();
        System.out.println("hostile inputs tried: " + tried);
    }

    private static String deep(int depth) {
        return "{\"question\":\"q\",\"nbce\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
    }

    private HttpResponse<String> post(String path, byte[] body) throws Exception {
        return Http.send(Http.request(cluster.baseUrl() + path, "Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    /** One bad input: the status, a JSON error with a code, and nothing internal in it. */
    private void expectError(String path, byte[] body, int status, String code) throws Exception {
        tried++;
        HttpResponse<String> response = post(path, body);
        String shown = new String(body, 0, Math.min(body.length, 80), StandardCharsets.UTF_8);
        assertEquals(status, response.statusCode(), "status for " + path + " " + shown + ": " + response.body());
        JsonNode error = Json.MAPPER.readTree(response.body()).get("error");
        assertEquals(code, error.get("code").asText(), response.body());
        assertClean(error.get("message").asText());
    }

    private static void assertClean(String message) {
        assertFalse(message.isBlank());
        assertFalse(message.contains("\n"), message);
        for (String internal : List.of("Exception", "dev.nbce", "at java.", "127.0.0.1:", "NullPointer", "fasterxml", "jackson", "`")) {
            assertFalse(message.contains(internal), "internal detail leaked: " + message);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static final List<String> BAD_REQUESTS = List.of(
            "{", "", "[]", "null", "123", "\"text\"", "{\"question\":\"q\"} trailing",
            "{\"question\":\"q\",\"question\":\"twice\"}",
            "{\"question\":5}", "{\"question\":\"\"}", "{\"question\":\"   \"}", "{}",
            "{\"question\":\"q\",\"max_new_tokens\":\"ten\"}", "{\"question\":\"q\",\"max_new_tokens\":1.5}",
            "{\"question\":\"q\",\"max_new_tokens\":0}", "{\"question\":\"q\",\"max_new_tokens\":99999999999}",
            "{\"question\":\"q\",\"top_p\":0}", "{\"question\":\"q\",\"top_p\":1e400}", "{\"question\":\"q\",\"top_p\":-1}",
            "{\"question\":\"q\",\"temperature\":-0.5}", "{\"question\":\"q\",\"top_k\":-3}",
            "{\"question\":\"q\",\"nbce\":{\"beta\":-1}}", "{\"question\":\"q\",\"nbce\":{\"pooling\":\"max\"}}",
            "{\"question\":\"q\",\"nbce\":{\"gamma\":1}}", "{\"question\":\"q\",\"nbce\":[1]}",
            "{\"question\":\"q\",\"contexts\":[1,2]}", "{\"question\":\"q\",\"contexts\":\"one\"}",
            "{\"question\":\"q\",\"contexts\":[\"\"]}", "{\"question\":\"q\",\"contexts\":[\"a\"],\"document\":\"b\"}",
            "{\"question\":\"q\",\"user_template\":\"{question}\"}", "{\"question\":\"q\",\"stream\":\"yes\"}",
            "{\"question\":\"q\",\"seed\":1.5}", "{\"question\":\"q\",\"unknown\":true}",
            "{\"question\":\"q\",\"stop\":[\"\"]}", deep(100), "{\"a\":1}{\"b\":2}", "{\"question\":\"q\"}{\"question\":\"q\"}");

    @Test
    void campaignWhileAWellFormedStreamRuns() throws Exception {
        ObjectNode good = ClusterExactnessTest.requestJson(Fixtures.tinyLlamaReference().get("nbce").get(1));
        good.put("max_new_tokens", 300);
        JsonNode alone = ClusterExactnessTest.postGenerate(cluster.baseUrl(), good).get("token_ids");

        try (WsClient victim = new WsClient(cluster.baseUrl()); WsClient attacker = new WsClient(cluster.baseUrl())) {
            victim.send(WsClient.generateFrame("good", good));

            for (String bad : BAD_REQUESTS) {
                expectError("/v1/generate", utf8(bad), 400, "bad_request");
                expectError("/v1/chat/completions", utf8(bad), 400, "bad_request");
            }
            expectError("/v1/generate", new byte[] {'{', '"', 'q', 'u', 'e', 's', 't', 'i', 'o', 'n', '"', ':', '"', (byte) 0xff, (byte) 0xfe, '"', '}'},
                    400, "bad_request");
            expectError("/v1/generate", utf8("{\"question\":\"q\",\"contexts\":[\"" + "x".repeat(70_000) + "\"]}"), 413, "too_large");
            StringBuilder manyWindows = new StringBuilder("{\"question\":\"q\",\"contexts\":[");
            for (int i = 0; i < 20; i++) {
                manyWindows.append(i == 0 ? "" : ",").append("\"window ").append(i).append("\"");
            }
            expectError("/v1/generate", utf8(manyWindows + "]}"), 413, "too_large");
            expectError("/v1/generate", utf8("{\"question\":\"q\",\"max_new_tokens\":4000}"), 400, "bad_request");
            expectError("/v1/chat/completions", utf8("{\"messages\":[]}"), 400, "bad_request");
            expectError("/v1/chat/completions", utf8("{\"messages\":[{\"role\":\"system\",\"content\":\"x\"}]}"), 400, "bad_request");
            expectError("/v1/chat/completions", utf8("{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"n\":9}"), 400, "bad_request");
            expectError("/v1/nothing", utf8("{}"), 404, "not_found");
            tried++;
            HttpResponse<String> getGenerate = Http.get(cluster.baseUrl() + "/v1/generate");
            assertTrue(getGenerate.statusCode() == 404 || getGenerate.statusCode() == 405, getGenerate.body());

            // WebSocket frames: each gets an error frame, and the socket stays usable.
            List<String[]> frames = List.of(
                    new String[] {"{", "invalid_json"}, new String[] {"[]", "bad_request"},
                    new String[] {"{\"type\":42}", "bad_request"}, new String[] {"{\"type\":\"explode\"}", "unknown_type"},
                    new String[] {"{\"type\":\"generate\",\"request\":{\"question\":\"q\"}}", "bad_request"},
                    new String[] {"{\"type\":\"generate\",\"id\":\"" + "i".repeat(200) + "\",\"request\":{\"question\":\"q\"}}", "bad_request"},
                    new String[] {"{\"type\":\"generate\",\"id\":\"x1\",\"request\":{\"question\":7}}", "bad_request"},
                    new String[] {"{\"type\":\"generate\",\"id\":\"x2\",\"request\":{\"question\":\"q\"},\"extra\":1}", "bad_request"},
                    new String[] {"{\"type\":\"generate\",\"id\":\"x3\"}", "bad_request"},
                    new String[] {"{\"type\":\"cancel\",\"id\":\"never-started\"}", "unknown_id"},
                    new String[] {"{\"type\":\"cancel\"}", "bad_request"},
                    new String[] {deep(100), "invalid_json"}, new String[] {"{\"a\":1}{\"b\":2}", "invalid_json"},
                    new String[] {"{\"type\":\"generate\",\"id\":\"big\",\"request\":{\"question\":\"" + "y".repeat(70_000) + "\"}}", "too_large"});
            for (String[] frame : frames) {
                tried++;
                attacker.send(frame[0]);
                JsonNode reply = attacker.next(30);
                assertEquals("error", reply.get("type").asText(), frame[0] + " -> " + reply);
                assertEquals(frame[1], reply.get("code").asText(), frame[0] + " -> " + reply);
                assertClean(reply.get("message").asText());
            }
            // Interleaved cancels: start, cancel twice, start the same id again.
            tried += 3;
            attacker.send(WsClient.generateFrame("z", good));
            attacker.send("{\"type\":\"cancel\",\"id\":\"z\"}");
            attacker.send("{\"type\":\"cancel\",\"id\":\"z\"}");
            List<JsonNode> zFrames = attacker.until("z", 30);
            String endType = zFrames.get(zFrames.size() - 1).get("type").asText();
            assertTrue(endType.equals("done") || endType.equals("error"), zFrames.toString());

            // The attacked socket still serves a valid request.
            attacker.send(WsClient.generateFrame("after", ClusterExactnessTest.requestJson(Fixtures.tinyLlamaReference().get("nbce").get(0))));
            List<JsonNode> afterFrames = attacker.until("after", 60);
            assertEquals("done", afterFrames.get(afterFrames.size() - 1).get("type").asText());

            List<JsonNode> victimFrames = victim.until("good", 120);
            JsonNode done = victimFrames.get(victimFrames.size() - 1);
            assertEquals("done", done.get("type").asText(), done.toString());
            assertEquals(alone, done.get("result").get("token_ids"), "the well-formed stream was not disturbed");
        }
        assertTrue(tried > 80, "campaign size " + tried);
    }

    @Test
    void binaryFrameIsRefusedAndTheSocketStaysUsable() throws Exception {
        try (WsClient ws = new WsClient(cluster.baseUrl())) {
            ws.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            JsonNode reply = ws.next(10);
            assertEquals("bad_request", reply.get("code").asText(), reply.toString());
            ws.send("{\"type\":\"cancel\",\"id\":\"none\"}");
            assertEquals("unknown_id", ws.next(10).get("code").asText());
        }
    }
}
