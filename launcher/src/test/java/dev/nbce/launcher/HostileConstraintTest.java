package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.common.testing.Http;
import dev.nbce.common.testing.StartsCluster;
import dev.nbce.common.testing.WsClient;
import dev.nbce.gateway.request.GenerationResult;
import dev.nbce.gateway.request.Json;
import dev.nbce.gateway.request.RequestParser;
import dev.nbce.gateway.service.GatewayLimits;
import dev.nbce.gateway.session.SessionListener;
import dev.nbce.launcher.local.LocalRuntime;
import dev.nbce.worker.model.DeviceSpec;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Constraints through a cluster (docs/structured-output.md): a hostile one costs its own request a 400 naming the
 * field, compiled off the event loop on a pool of its own, while another client's answer streams on unchanged;
 * a constrained answer over the wire is the one the in-process runtime gives.
 */
@StartsCluster
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileConstraintTest {
    /** A regex whose deterministic automaton has 2^41 states: the compiler must give up, not the server. */
    private static final String EXPLODING = "(a|b)*a(a|b){40}";
    private TestCluster cluster;

    @BeforeAll
    void start() throws Exception {
        cluster = new TestCluster(Fixtures.tinyLlama(), "tiny-llama", 1, Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static ObjectNode hostile(int i) {
        ObjectNode request = Json.MAPPER.createObjectNode().put("question", "q" + i).put("max_new_tokens", 4);
        if (i % 2 == 0) {
            request.putObject("structured_outputs").put("regex", EXPLODING);
        } else {
            request.putObject("response_format").put("type", "json_schema").putObject("json_schema").put("name", "x")
                    .putObject("schema").put("type", "string").put("pattern", EXPLODING);
        }
        return request;
    }

    @Test
    void anotherClientsAnswerStreamsUnchangedWhileHostileConstraintsCompile() throws Exception {
        ObjectNode streamed = ClusterExactnessTest.longRequest(40);
        int[] alone = Fixtures.ints(ClusterExactnessTest.postGenerate(cluster.baseUrl(), streamed).get("token_ids"));
        try (WsClient ws = new WsClient(cluster.baseUrl())) {
            ws.send(WsClient.generateFrame("calm", streamed));
            List<JsonNode> frames = new ArrayList<>();
            JsonNode first = ws.next(60);
            frames.add(first);
            assertEquals("token", first.get("type").asText(), first.toString());
            // The stream is under way: now the hostile constraints arrive, several at once.
            List<CompletableFuture<HttpResponse<String>>> refused = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                refused.add(Http.postJsonAsync(cluster.baseUrl() + "/v1/generate", hostile(i).toString()));
            }
            ws.send(WsClient.generateFrame("hostile", hostile(0)));
            frames.addAll(ws.until("calm", 120));
            JsonNode done = frames.get(frames.size() - 1);
            assertEquals("done", done.get("type").asText(), done.toString());
            int[] ids = frames.stream().filter(f -> f.get("type").asText().equals("token"))
                    .mapToInt(f -> f.get("token_id").asInt()).toArray();
            assertArrayEquals(alone, ids, "the streamed answer is the one it gives alone");
            for (int i = 0; i < refused.size(); i++) {
                HttpResponse<String> response = refused.get(i).get();
                assertEquals(400, response.statusCode(), response.body());
                JsonNode error = Json.MAPPER.readTree(response.body()).get("error");
                assertEquals(i % 2 == 0 ? "structured_outputs.regex" : "response_format.json_schema.schema",
                        error.get("param").asText(), error.toString());
            }
            List<JsonNode> hostileFrames = ws.until("hostile", 60);
            JsonNode error = hostileFrames.get(hostileFrames.size() - 1);
            assertEquals("error", error.get("type").asText(), error.toString());
            assertTrue(error.toString().contains("structured_outputs.regex"), "the frame names the field: " + error);
        }
    }

    @Test
    void aConstrainedAnswerOverTheWireIsTheOneTheRuntimeGives() throws Exception {
        List<String> options = List.of("yes", "no", "not stated in the text");
        ObjectNode request = ClusterExactnessTest.longRequest(40);
        options.forEach(request.putArray("guided_choice")::add);
        JsonNode result = ClusterExactnessTest.postGenerate(cluster.baseUrl(), request);
        assertTrue(options.contains(result.get("text").asText()), result.toString());
        try (LocalRuntime runtime = new LocalRuntime(Fixtures.tinyLlama(), DeviceSpec.cpu(), 1, GatewayLimits.DEFAULT)) {
            GenerationResult local = runtime.generate(RequestParser.parse(request.toString()), SessionListener.NONE);
            assertArrayEquals(local.tokenIds(), Fixtures.ints(result.get("token_ids")), "the rules travel with the rows");
        }
    }
}
