package dev.nbce.launcher.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;
import dev.nbce.gateway.request.FinishReason;
import dev.nbce.gateway.request.GenerationResult;
import dev.nbce.gateway.request.Usage;
import dev.nbce.gateway.service.RequestObserver;
import dev.nbce.gateway.service.RequestOrigin;
import dev.nbce.gateway.service.ServiceObserver;
import dev.nbce.gateway.session.SessionListener;
import dev.nbce.launcher.config.Settings;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A failover's events and where rows placed again continue the trace, without a cluster. */
class TracedServiceTest {
    @Test
    void failoverAndReplacementAreEventsOfTheDecodeSpan() {
        String rootSpan;
        String placementContext;
        String decodeContext;
        try (Tracing tracing = Tracing.from(Settings.of(Map.of("OTEL_TRACES_EXPORTER", "memory")), "nbce-gateway")) {
            TracedService service = new TracedService(ServiceObserver.NONE, tracing);
            RequestObserver request = service.admitted("req-failover", new RequestOrigin("POST /v1/generate", null));
            request.started();
            SessionListener listener = request.wrap(SessionListener.NONE);
            listener.onPlaced(Map.of("w1", List.of(0, 1), "w2", List.of(2)), 1);
            placementContext = listener.traceparent();
            listener.onStep(0, 0);
            decodeContext = listener.traceparent();
            listener.onDecode(3);
            listener.onStep(1, 0);
            listener.onRowsReplaced("w2", 1, new NbceException(ErrorCode.WORKER_LOST, "worker w2 is gone"));
            listener.onPlaced(Map.of("w1", List.of(2)), 0);
            listener.onDecode(3);
            listener.onStep(2, 0);
            request.ended(new GenerationResult("ab", new int[] {5, 6, 7}, new int[] {0, 0, 0}, FinishReason.LENGTH,
                    new Usage(new int[] {4, 5, 6}, 15, 3), List.of()), null);
            rootSpan = placementContext.substring(3, 35);
        }
        List<SpanData> spans = MemoryExporterProvider.SPANS.getFinishedSpanItems().stream()
                .filter(s -> s.getTraceId().equals(rootSpan)).toList();
        SpanData placement = named(spans, "nbce.placement");
        SpanData decode = named(spans, "nbce.decode");
        // version-trace-span-flags: the flags say sampled (and, from this SDK, a random trace id).
        assertTrue(placementContext.startsWith("00-" + placement.getTraceId() + "-" + placement.getSpanId() + "-"),
                "rows placed before step 0 continue the placement: " + placementContext);
        assertTrue(decodeContext.startsWith("00-" + decode.getTraceId() + "-" + decode.getSpanId() + "-"),
                "rows placed again later continue the decode span: " + decodeContext);
        assertEquals(1, Integer.parseInt(decodeContext.substring(53), 16) & 1, "sampled");
        assertNotEquals(placementContext, decodeContext);
        assertEquals("w1,w2", String.join(",", List.of(placement.getAttributes().get(AttributeKey.stringKey("nbce.workers"))
                .split(",")).stream().sorted().toList()));
        assertEquals(1L, placement.getAttributes().get(AttributeKey.longKey("nbce.prefix_cache.hit_rows")));

        List<String> events = decode.getEvents().stream().map(EventData::getName).toList();
        assertEquals(List.of("nbce.rows_replaced", "nbce.rows_placed"), events);
        EventData replaced = decode.getEvents().get(0);
        assertEquals("w2", replaced.getAttributes().get(AttributeKey.stringKey("nbce.worker")));
        assertEquals("worker_lost", replaced.getAttributes().get(AttributeKey.stringKey("error.type")));
        assertEquals("w1", decode.getEvents().get(1).getAttributes().get(AttributeKey.stringKey("nbce.workers")));
        assertEquals(2L, decode.getAttributes().get(AttributeKey.longKey("nbce.decode.steps")));
        assertEquals(6L, decode.getAttributes().get(AttributeKey.longKey("nbce.decode.row_steps")));
        SpanData root = named(spans, "POST /v1/generate");
        assertEquals("length", root.getAttributes().get(AttributeKey.stringKey("nbce.finish_reason")));
        assertEquals(15L, root.getAttributes().get(AttributeKey.longKey("gen_ai.usage.input_tokens")));
        assertTrue(spans.stream().allMatch(s -> s.getSpanId().equals(root.getSpanId())
                || s.getParentSpanId().equals(root.getSpanId())), "every other span is the request span's child");
    }

    @Test
    void percentilesAreNearestRank() {
        long[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertEquals(5, TracedService.percentile(sorted, 0.50));
        assertEquals(10, TracedService.percentile(sorted, 0.99));
        assertEquals(0, TracedService.percentile(new long[0], 0.5));
    }

    private static SpanData named(List<SpanData> spans, String name) {
        return spans.stream().filter(s -> s.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " not among " + spans.stream().map(SpanData::getName).toList()));
    }
}
