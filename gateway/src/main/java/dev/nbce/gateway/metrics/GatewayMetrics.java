package dev.nbce.gateway.metrics;

import dev.nbce.gateway.request.GenerationResult;
import dev.nbce.gateway.service.ServiceObserver;
import dev.nbce.gateway.session.ForwardingSessionListener;
import dev.nbce.gateway.session.SessionListener;
import dev.nbce.gateway.session.TokenEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's NBCE meters, named as platform teams alert on them: time to first token,
 * inter-token latency, request duration, active, queued and waiting requests, open connections,
 * tokens, row replacements and event-bus bytes per step. The waiting requests and open connections
 * are what autoscalers read (docs/operations.md, Autoscaling).
 */
public final class GatewayMetrics implements ServiceObserver {
    private final Timer timeToFirstToken;
    private final Timer interTokenLatency;
    private final Timer requestDuration;
    private final Counter tokensGenerated;
    private final Counter rowReplacements;
    private final Counter requestsFailed;
    private final Counter draftTokens;
    private final Counter draftAcceptedTokens;
    private final DistributionSummary stepBytes;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger queued = new AtomicInteger();
    /** Admitted requests that wait for free rows or KV tokens on the workers. */
    private final AtomicInteger waitingForRows = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();

    public GatewayMetrics(MeterRegistry registry) {
        timeToFirstToken = latency("nbce.time.to.first.token", "time from admission to the first streamed token", registry);
        interTokenLatency = latency("nbce.inter.token.latency", "time between consecutive tokens of a request", registry);
        requestDuration = latency("nbce.request.duration", "time from admission to the end of a generation", registry);
        tokensGenerated = Counter.builder("nbce.tokens.generated").description("tokens generated").register(registry);
        rowReplacements = Counter.builder("nbce.row.replacements")
                .description("rows placed again after their worker failed").register(registry);
        requestsFailed = Counter.builder("nbce.requests.failed").description("generations that ended in an error").register(registry);
        // vLLM's spec_decode num_draft_tokens and num_accepted_tokens: their ratio is the acceptance rate.
        draftTokens = Counter.builder("nbce.draft.tokens").description("draft tokens verified (speculative decoding)")
                .register(registry);
        draftAcceptedTokens = Counter.builder("nbce.draft.accepted.tokens")
                .description("draft tokens accepted: each saved a decode step").register(registry);
        stepBytes = DistributionSummary.builder("nbce.step").baseUnit("bytes")
                .description("event-bus bytes received per step of one request").register(registry);
        Gauge.builder("nbce.requests.active", active, AtomicInteger::get).description("generations running").register(registry);
        Gauge.builder("nbce.queue.depth", queued, AtomicInteger::get).description("generations waiting for a slot").register(registry);
        // vLLM's vllm:num_requests_waiting: requests not yet running anywhere, whether they wait for an
        // admission slot here or, admitted, for free rows or KV tokens on the workers.
        Gauge.builder("nbce.requests.waiting", this, m -> m.queued.get() + m.waitingForRows.get())
                .description("requests waiting for an admission slot or for room on the workers").register(registry);
        Gauge.builder("nbce.connections.open", connections, AtomicInteger::get)
                .description("client connections open on the API port, HTTP and WebSocket").register(registry);
    }

    private static Timer latency(String name, String description, MeterRegistry registry) {
        return Timer.builder(name).description(description)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(5))
                .register(registry);
    }

    public void stepBytes(long bytes) {
        stepBytes.record(bytes);
    }

    @Override
    public void started() {
        active.incrementAndGet();
    }

    @Override
    public void queueDepth(int depth) {
        queued.set(depth);
    }

    @Override
    public void connectionOpened() {
        connections.incrementAndGet();
    }

    @Override
    public void connectionClosed() {
        connections.decrementAndGet();
    }

    @Override
    public void ended(GenerationResult result, long nanos) {
        active.decrementAndGet();
        requestDuration.record(nanos, TimeUnit.NANOSECONDS);
        if (result == null) {
            requestsFailed.increment();
        }
    }

    @Override
    public SessionListener wrap(SessionListener listener, long startNanos) {
        return new ForwardingSessionListener(listener) {
            private long lastTokenNanos;
            /** This request's capacity waits in progress: it counts once however many of its placements wait. */
            private int waits;

            @Override
            public void onToken(TokenEvent token) {
                long now = System.nanoTime();
                if (lastTokenNanos == 0) {
                    timeToFirstToken.record(now - startNanos, TimeUnit.NANOSECONDS);
                } else {
                    interTokenLatency.record(now - lastTokenNanos, TimeUnit.NANOSECONDS);
                }
                lastTokenNanos = now;
                tokensGenerated.increment();
                super.onToken(token);
            }

            @Override
            public void onDraftVerified(int drafted, int accepted) {
                draftTokens.increment(drafted);
                draftAcceptedTokens.increment(accepted);
                super.onDraftVerified(drafted, accepted);
            }

            @Override
            public void onRowsReplaced(String failedWorker, int rows, Throwable cause) {
                rowReplacements.increment(rows);
                super.onRowsReplaced(failedWorker, rows, cause);
            }

            @Override
            public void onCapacityWait(boolean waiting) {
                waits += waiting ? 1 : -1;
                if (waiting && waits == 1) {
                    waitingForRows.incrementAndGet();
                } else if (!waiting && waits == 0) {
                    waitingForRows.decrementAndGet();
                }
                super.onCapacityWait(waiting);
            }
        };
    }
}
