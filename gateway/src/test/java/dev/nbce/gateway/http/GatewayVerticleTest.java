package dev.nbce.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.gateway.request.Json;
import dev.nbce.gateway.service.GatewayLimits;
import dev.nbce.common.testing.Http;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway verticle on its own, over a backend with no workers (no cluster, no model runtime):
 * probes, the model list, the chat page, and requests refused with the documented JSON errors.
 */
class GatewayVerticleTest {

    private NoWorkerGateway gateway;

    @BeforeEach
    void start() throws Exception {
        gateway = new NoWorkerGateway(GatewayLimits.DEFAULT.withCapacityWaitMillis(200), HttpSettings.DEFAULT);
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return Http.get(url(path));
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return Http.postJson(url(path), body);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + gateway.port() + path;
    }

    @Test
    void servesProbesModelsAndThePageAndRefusesWithoutWorkers() throws Exception {
        assertEquals(200, get("/health").statusCode());

        HttpResponse<String> ready = get("/ready");
        assertEquals(503, ready.statusCode());
        JsonNode readyBody = Json.MAPPER.readTree(ready.body());
        assertEquals(false, readyBody.get("ready").asBoolean());
        assertEquals(0, readyBody.get("workers").size());

        JsonNode models = Json.MAPPER.readTree(get("/v1/models").body());
        assertEquals("tiny-llama", models.get("data").get(0).get("id").asText());

        HttpResponse<String> page = get("/");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<html"), "the chat page");

        HttpResponse<String> generate = post("/v1/generate", "{\"question\":\"Who?\",\"contexts\":[\"A.\"]}");
        assertEquals(503, generate.statusCode(), generate.body());
        assertEquals("no_workers", Json.MAPPER.readTree(generate.body()).get("error").get("code").asText());

        HttpResponse<String> bad = post("/v1/generate", "{\"question\": 3}");
        assertEquals(400, bad.statusCode());
        assertEquals("bad_request", Json.MAPPER.readTree(bad.body()).get("error").get("code").asText());

        HttpResponse<String> missing = get("/v1/nothing-here");
        assertEquals(404, missing.statusCode());
        assertEquals("not_found", Json.MAPPER.readTree(missing.body()).get("error").get("code").asText());
    }
}
