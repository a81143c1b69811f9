package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.common.testing.Http;
import dev.nbce.common.testing.StartsCluster;
import dev.nbce.common.testing.WsClient;
import dev.nbce.gateway.request.Json;
import dev.nbce.launcher.tracing.MemoryExporterProvider;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * One request is one trace across the gateway and the workers that hold its rows (docs/operations.md: Tracing),
 * through a real cluster whose gateway and workers turn tracing on from OTEL_* settings alone; their SDKs export
 * into {@link MemoryExporterProvider}.
 */
@StartsCluster
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TracingClusterTest {
    private static final String CLIENT_TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final String CLIENT_SPAN = "b7ad6b7169203331";
    private static final AttributeKey<String> SERVICE = AttributeKey.stringKey("service.name");

    private TestCluster cluster;

    @BeforeAll
    void startCluster() throws Exception {
        cluster = new TestCluster(Fixtures.tinyLlama(), "tiny-llama", 2, Map.of(
                "OTEL_TRACES_EXPORTER", "memory", "OTEL_BSP_SCHEDULE_DELAY", "20"));
    }

    @AfterAll
    void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void forgetEarlierSpans() {
        MemoryExporterProvider.SPANS.reset();
    }

    /** Three windows, eight greedy tokens. */
    private static ObjectNode request() {
        ObjectNode request = ClusterExactnessTest.requestJson(Fixtures.tinyLlamaReference().get("nbce").get(0));
        request.put("max_new_tokens", 8);
        return request;
    }

    @Test
    void oneRequestIsOneTraceUnderTheClientsSpan() throws Exception {
        HttpResponse<String> response = Http.postJson(cluster.baseUrl() + "/v1/generate", request().toString(),
                "traceparent", "00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01");
        assertEquals(200, response.statusCode(), response.body());
        JsonNode result = Json.MAPPER.readTree(response.body());
        int generated = result.get("token_ids").size();

        List<SpanData> spans = awaitSpans(CLIENT_TRACE, s -> s.getName().equals("nbce.worker.open"), 2);
        SpanData root = only(spans, "POST /v1/generate");
        assertEquals(CLIENT_SPAN, root.getParentSpanId(), "the client's span is the parent");
        assertEquals(SpanKind.SERVER, root.getKind());
        assertEquals("nbce-gateway", root.getResource().getAttribute(SERVICE));
        assertEquals(result.get("finish_reason").asText(), root.getAttributes().get(AttributeKey.stringKey("nbce.finish_reason")));
        assertEquals(generated, root.getAttributes().get(AttributeKey.longKey("gen_ai.usage.output_tokens")));
        assertEquals(result.get("usage").get("prompt_tokens").asLong(),
                root.getAttributes().get(AttributeKey.longKey("gen_ai.usage.input_tokens")));

        for (String child : List.of("nbce.admission", "nbce.prepare", "nbce.placement", "nbce.decode")) {
            assertEquals(root.getSpanId(), only(spans, child).getParentSpanId(), child + " under the request span");
        }
        SpanData prepare = only(spans, "nbce.prepare");
        long rows = prepare.getAttributes().get(AttributeKey.longKey("nbce.rows"));
        assertEquals(result.get("windows").asLong() + 1, rows, "a row per window and the no-context row");
        assertEquals(result.get("usage").get("prompt_tokens").asLong(),
                prepare.getAttributes().get(AttributeKey.longKey("nbce.prompt_tokens")));

        SpanData placement = only(spans, "nbce.placement");
        assertEquals(rows, placement.getAttributes().get(AttributeKey.longKey("nbce.rows")));
        Set<String> chosen = Set.of(placement.getAttributes().get(AttributeKey.stringKey("nbce.workers")).split(","));
        assertEquals(0L, placement.getAttributes().get(AttributeKey.longKey("nbce.prefix_cache.hit_rows")),
                "a first request finds no prefix cached");

        // Each worker that holds rows opened them in a span of its own, under the placement, in the same trace.
        List<SpanData> opens = spans.stream().filter(s -> s.getName().equals("nbce.worker.open")).toList();
        assertEquals(chosen, opens.stream().map(s -> s.getAttributes().get(AttributeKey.stringKey("nbce.worker")))
                .collect(Collectors.toSet()), "one open span per chosen worker");
        for (SpanData open : opens) {
            assertEquals(placement.getSpanId(), open.getParentSpanId(), "the worker continues the placement's context");
            assertEquals("nbce-worker", open.getResource().getAttribute(SERVICE));
            assertTrue(open.getAttributes().get(AttributeKey.longKey("nbce.prefill_tokens")) > 0);
        }
        assertEquals(rows, opens.stream().mapToLong(s -> s.getAttributes().get(AttributeKey.longKey("nbce.rows"))).sum());

        SpanData decode = only(spans, "nbce.decode");
        assertEquals(generated - 1, decode.getAttributes().get(AttributeKey.longKey("nbce.decode.steps")),
                "step 0 is the prefill's; every later token is one decode round trip");
        assertEquals(rows, decode.getAttributes().get(AttributeKey.longKey("nbce.decode.rows")));
        double p50 = decode.getAttributes().get(AttributeKey.doubleKey("nbce.decode.step_p50_ms"));
        double p99 = decode.getAttributes().get(AttributeKey.doubleKey("nbce.decode.step_p99_ms"));
        assertTrue(p50 > 0 && p99 >= p50, p50 + " / " + p99);
        assertTrue(decode.getAttributes().get(AttributeKey.longKey("nbce.bus.reply_bytes")) > 0,
                "the workers' replies crossed the event bus");
        assertEquals(1, spans.stream().filter(s -> s.getName().equals("nbce.decode")).count(), "one decode span, not one per step");
    }

    @Test
    void aRequestWithoutTraceparentStartsItsOwnTraceOverWebSocketToo() throws Exception {
        try (WsClient ws = new WsClient(cluster.baseUrl())) {
            ws.send(WsClient.generateFrame("traced", request()));
            List<JsonNode> frames = ws.until("traced", 60);
            assertEquals("done", frames.get(frames.size() - 1).get("type").asText());
        }
        SpanData root = awaitRoot("WebSocket /v1/ws generate");
        assertFalse(root.getParentSpanContext().isValid(), "no client context: a new trace");
        List<SpanData> spans = awaitSpans(root.getTraceId(), s -> s.getName().equals("nbce.worker.open"), 1);
        assertNotNull(only(spans, "nbce.decode"));
        assertEquals(Set.of("nbce-gateway", "nbce-worker"),
                spans.stream().map(s -> s.getResource().getAttribute(SERVICE)).collect(Collectors.toSet()));
    }

    private static SpanData only(List<SpanData> spans, String name) {
        List<SpanData> named = spans.stream().filter(s -> s.getName().equals(name)).toList();
        assertEquals(1, named.size(), name + " in " + Arrays.toString(spans.stream().map(SpanData::getName).toArray()));
        return named.get(0);
    }

    /** The spans of a trace once its request span and {@code count} spans matching {@code also} are exported (bounded wait). */
    private static List<SpanData> awaitSpans(String traceId, Predicate<SpanData> also, int count) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            List<SpanData> spans = MemoryExporterProvider.SPANS.getFinishedSpanItems().stream()
                    .filter(s -> s.getTraceId().equals(traceId)).toList();
            boolean rootDone = spans.stream().anyMatch(s -> s.getKind() == SpanKind.SERVER && !s.getName().startsWith("nbce."));
            if ((rootDone && spans.stream().filter(also).count() >= count) || System.currentTimeMillis() > deadline) {
                return spans;
            }
            Thread.sleep(20);
        }
    }

    private static SpanData awaitRoot(String name) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            var root = MemoryExporterProvider.SPANS.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).findFirst();
            if (root.isPresent()) {
                return root.get();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no span " + name + " was exported");
    }
}
