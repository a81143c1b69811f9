package dev.nbce.worker.metrics;

import dev.nbce.worker.engine.RowEngine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A worker's NBCE meters: active rows and requests, forward-pass time, rows and tokens computed, the KV budget's use. */
public final class WorkerMetrics {
    private final MeterRegistry registry;
    private final Timer stepTime;
    private final Counter rowsComputed;
    private final Counter tokensComputed;

    public WorkerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.stepTime = Timer.builder("nbce.worker.step").description("one batched forward pass")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(1))
                .register(registry);
        this.rowsComputed = Counter.builder("nbce.worker.rows.computed").description("row-forwards run").register(registry);
        this.tokensComputed = Counter.builder("nbce.worker.tokens.computed").description("tokens fed through the model")
                .register(registry);
    }

    /** Publishes the engine's live row and request counts. */
    public void watch(RowEngine engine) {
        Gauge.builder("nbce.rows.active", engine, RowEngine::activeRows).description("rows holding a KV cache").register(registry);
        Gauge.builder("nbce.worker.requests.active", engine, RowEngine::activeRequests).register(registry);
        Gauge.builder("nbce.worker.capacity.rows", engine, RowEngine::capacityRows).register(registry);
        // As vLLM counts its own: prompt tokens looked up and found, and the cache's bytes in use.
        FunctionCounter.builder("nbce.prefix.cache.hit.tokens", engine, e -> e.prefixCache().hitTokens())
                .description("prompt tokens restored from the prefix cache").register(registry);
        FunctionCounter.builder("nbce.prefix.cache.query.tokens", engine, e -> e.prefixCache().queryTokens())
                .description("prompt tokens of new rows looked up in the prefix cache").register(registry);
        Gauge.builder("nbce.prefix.cache.bytes", engine, e -> e.prefixCache().bytes())
                .description("bytes of cached prefix keys and values").register(registry);
        FunctionCounter.builder("nbce.prefix.cache.evictions", engine, e -> e.prefixCache().evictions())
                .description("cached blocks evicted, for the cache's room or for new rows").register(registry);
        // The KV budget in tokens (its source is on the ready line) and what the open rows leave of it.
        Gauge.builder("nbce.kv.cache.tokens", engine, RowEngine::capacityKvTokens)
                .description("tokens of KV cache the budget holds").register(registry);
        Gauge.builder("nbce.kv.cache.free.tokens", engine, RowEngine::freeKvTokens)
                .description("KV tokens no open row has reserved (cached prefixes give way to rows)").register(registry);
        // vLLM's vllm:kv_cache_usage_perc, a fraction (0..1) as there despite the name: the share of the
        // budget open rows have reserved, what autoscalers scale workers on (docs/operations.md, Autoscaling).
        Gauge.builder("nbce.kv.cache.usage.perc", engine, WorkerMetrics::kvCacheUsage)
                .description("fraction of the KV budget reserved by open rows (cached prefixes count as free)")
                .register(registry);
        FunctionCounter.builder("nbce.forward.oom", engine, RowEngine::outOfMemoryForwards)
                .description("forwards that ran out of memory (retried smaller, or failing the one request in them)")
                .register(registry);
    }

    static double kvCacheUsage(RowEngine engine) {
        long capacity = engine.capacityKvTokens();
        return capacity <= 0 ? 0 : (double) (capacity - engine.freeKvTokens()) / capacity;
    }

    public void onForward(int rows, int tokens, long nanos) {
        stepTime.record(nanos, TimeUnit.NANOSECONDS);
        rowsComputed.increment(rows);
        tokensComputed.increment(tokens);
    }
}
