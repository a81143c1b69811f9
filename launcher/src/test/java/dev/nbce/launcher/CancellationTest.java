package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.common.testing.Http;
import dev.nbce.common.testing.StartsCluster;
import dev.nbce.common.testing.WsClient;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** A cancel frame, a closed socket or an aborted HTTP stream frees the request's rows on every worker. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@StartsCluster
class CancellationTest {
    private TestCluster cluster;

    @BeforeAll
    void start() throws Exception {
        cluster = new TestCluster(Fixtures.tinyLlama(), "tiny-llama", 2, Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        cluster.close();
    }

    /** Rows are freed, and before the generation could have run to its end on its own. */
    private void assertRowsFreed(double tokensBefore) throws Exception {
        assertTrue(ClusterExactnessTest.waitForNoActiveRows(cluster, 5_000),
                "rows still active on workers: " + cluster.activeRows());
        double generated = tokensGenerated() - tokensBefore;
        assertTrue(generated < 400, "stopped early, not by running to completion: " + generated + " tokens");
    }

    private double tokensGenerated() throws Exception {
        return PrometheusScrape.sum(PrometheusScrape.fetch(cluster.baseUrl() + "/metrics"), "nbce_tokens_generated_total");
    }

    @Test
    void cancelFrameFreesRowsAndEndsTheStream() throws Exception {
        double before = tokensGenerated();
        try (WsClient ws = new WsClient(cluster.baseUrl())) {
            ws.send(WsClient.generateFrame("c1", ClusterExactnessTest.longRequest(400)));
            assertEquals("token", ws.next(30).get("type").asText());
            assertTrue(cluster.activeRows() > 0, "rows are placed while generating");
            ws.send("{\"type\":\"cancel\",\"id\":\"c1\"}");
            List<JsonNode> frames = ws.until("c1", 30);
            JsonNode last = frames.get(frames.size() - 1);
            assertEquals("done", last.get("type").asText(), last.toString());
            assertEquals("cancelled", last.get("result").get("finish_reason").asText());
            assertTrue(last.get("result").get("token_ids").size() < 400);
            assertRowsFreed(before);
            // The socket stays usable.
            ws.send("{\"type\":\"cancel\",\"id\":\"c1\"}");
            assertEquals("unknown_id", ws.until("c1", 10).get(0).get("code").asText());
        }
    }

    @Test
    void closedSocketFreesRows() throws Exception {
        double before = tokensGenerated();
        WsClient ws = new WsClient(cluster.baseUrl());
        ws.send(WsClient.generateFrame("c2", ClusterExactnessTest.longRequest(400)));
        ws.send(WsClient.generateFrame("c3", ClusterExactnessTest.longRequest(400)));
        assertEquals("token", ws.next(30).get("type").asText());
        ws.abort();
        assertRowsFreed(before);
    }

    @Test
    void abortedHttpStreamFreesRows() throws Exception {
        double before = tokensGenerated();
        ObjectNode request = ClusterExactnessTest.longRequest(400).put("stream", true);
        HttpResponse<InputStream> response = Http.CLIENT.send(
                Http.postJsonRequest(cluster.baseUrl() + "/v1/generate", request.toString()).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        InputStream body = response.body();
        byte[] firstEvent = new byte[16];
        assertTrue(body.read(firstEvent) > 0, "the stream started");
        body.close();
        assertRowsFreed(before);
    }
}
