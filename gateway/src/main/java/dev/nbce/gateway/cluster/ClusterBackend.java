package dev.nbce.gateway.cluster;

import dev.nbce.gateway.cluster.ClusterRowExecutor;
import dev.nbce.gateway.cluster.WorkerRegistry;
import dev.nbce.gateway.http.GatewayVerticle;
import dev.nbce.gateway.metrics.GatewayMetrics;
import dev.nbce.gateway.service.GatewayLimits;
import dev.nbce.gateway.service.ModelPromptPreparer;
import dev.nbce.gateway.service.NbceService;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import dev.nbce.common.wire.ShardStep;
import dev.nbce.common.wire.WireCodecs;
import dev.nbce.common.wire.WireMeter;
import java.util.Map;

/** The gateway's backend in a cluster: worker registry, event-bus executor, service and meters. */
public final class ClusterBackend implements GatewayVerticle.Backend {
    private final WorkerRegistry registry;
    private final NbceService service;

    /** Timeouts in milliseconds: liveness (silence before a worker is dead), prefill and decode step deadlines. */
    public record Timeouts(long livenessMillis, long openMillis, long stepMillis) {
        public static Timeouts fromEnvironment(Map<String, String> env) {
            return new Timeouts(
                    Long.parseLong(env.getOrDefault("NBCE_LIVENESS_MS", "1500")),
                    Long.parseLong(env.getOrDefault("NBCE_OPEN_TIMEOUT_MS", "120000")),
                    Long.parseLong(env.getOrDefault("NBCE_STEP_TIMEOUT_MS", "10000")));
        }
    }

    public ClusterBackend(Vertx vertx, ModelPromptPreparer preparer, GatewayLimits limits, Timeouts timeouts,
                          MeterRegistry meters) {
        this.registry = new WorkerRegistry(vertx, preparer.modelName(), timeouts.livenessMillis());
        registry.start();
        GatewayMetrics metrics = new GatewayMetrics(meters);
        WireCodecs.registerAll(vertx.eventBus(), WireMeter.of(ShardStep.class, metrics::stepBytes));
        ClusterRowExecutor executor = new ClusterRowExecutor(vertx, registry, timeouts.openMillis(), timeouts.stepMillis());
        this.service = new NbceService(vertx, preparer, executor, limits, metrics);
    }

    public WorkerRegistry registry() {
        return registry;
    }

    @Override
    public NbceService service() {
        return service;
    }

    @Override
    public boolean ready() {
        return registry.ready();
    }

    @Override
    public java.util.List<dev.nbce.common.wire.WorkerStatus> workers() {
        return registry.liveWorkers();
    }
}
