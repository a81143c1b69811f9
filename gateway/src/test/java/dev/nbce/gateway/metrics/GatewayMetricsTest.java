package dev.nbce.gateway.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nbce.gateway.session.SessionListener;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The gauges autoscalers read: waiting requests (vLLM's num_requests_waiting) and open connections. */
class GatewayMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final GatewayMetrics metrics = new GatewayMetrics(registry);

    private double gauge(String name) {
        return registry.get(name).gauge().value();
    }

    @Test
    void waitingCountsTheAdmissionQueueAndRequestsWaitingForRoomOnTheWorkers() {
        List<Boolean> seen = new ArrayList<>();
        SessionListener downstream = new SessionListener() {
            @Override
            public void onToken(dev.nbce.gateway.session.TokenEvent token) {
            }

            @Override
            public void onCapacityWait(boolean waiting) {
                seen.add(waiting);
            }
        };
        SessionListener first = metrics.wrap(downstream, System.nanoTime());
        SessionListener second = metrics.wrap(SessionListener.NONE, System.nanoTime());
        metrics.queueDepth(3);
        assertEquals(3, gauge("nbce.requests.waiting"), "queued for a slot");
        first.onCapacityWait(true);
        first.onCapacityWait(true); // a re-placement of the same request waits too: still one request
        second.onCapacityWait(true);
        assertEquals(5, gauge("nbce.requests.waiting"));
        assertEquals(3, gauge("nbce.queue.depth"), "the admission queue alone, as before");
        first.onCapacityWait(false);
        assertEquals(5, gauge("nbce.requests.waiting"), "the first request still waits for its other rows");
        first.onCapacityWait(false);
        second.onCapacityWait(false);
        metrics.queueDepth(0);
        assertEquals(0, gauge("nbce.requests.waiting"));
        assertEquals(List.of(true, true, false, false), seen, "the waits reach the wrapped listener");
    }

    @Test
    void openConnectionsFollowOpensAndCloses() {
        metrics.connectionOpened();
        metrics.connectionOpened();
        metrics.connectionClosed();
        assertEquals(1, gauge("nbce.connections.open"));
    }
}
