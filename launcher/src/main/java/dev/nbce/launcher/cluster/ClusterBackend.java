package dev.nbce.launcher.cluster;

import dev.nbce.common.wire.ShardStep;
import dev.nbce.common.wire.WireCodecs;
import dev.nbce.common.wire.WireMeter;
import dev.nbce.gateway.cluster.ClusterRowExecutor;
import dev.nbce.gateway.cluster.LeaseBeacon;
import dev.nbce.gateway.cluster.WorkerRegistry;
import dev.nbce.gateway.metrics.GatewayMetrics;
import dev.nbce.gateway.service.GatewayBackend;
import dev.nbce.gateway.service.GatewayLimits;
import dev.nbce.gateway.service.ModelPromptPreparer;
import dev.nbce.gateway.service.NbceService;
import dev.nbce.gateway.service.RequestIds;
import dev.nbce.gateway.service.ServiceObserver;
import dev.nbce.launcher.config.Setting;
import dev.nbce.launcher.config.Settings;
import dev.nbce.launcher.tracing.TracedService;
import dev.nbce.launcher.tracing.Tracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * The gateway's backend in a cluster: worker registry, event-bus executor, lease beacon, service and
 * meters. The gateway's instance id names its leases, its commands and its request ids.
 */
public final class ClusterBackend implements GatewayBackend {
    private final WorkerRegistry registry;
    private final NbceService service;
    private final LeaseBeacon beacon;

    /**
     * Timeouts in milliseconds: liveness (silence before a worker is dead), prefill and decode step
     * deadlines, and the lease after which workers free the rows of a silent gateway.
     */
    public record Timeouts(long livenessMillis, long openMillis, long stepMillis, int leaseMillis) {
        public static final int DEFAULT_LEASE_MILLIS = 3000;

        public Timeouts(long livenessMillis, long openMillis, long stepMillis) {
            this(livenessMillis, openMillis, stepMillis, DEFAULT_LEASE_MILLIS);
        }

        /**
         * Slow is not dead: liveness (a worker's heartbeats, which stop when its engine is dead or stalls
         * past NBCE_ENGINE_STALL_MS) fails a worker's steps at once; the step deadline is only a backstop,
         * longer than that stall, so a worker that is slow but making progress is never declared lost.
         */
        public static Timeouts from(Settings settings) {
            return new Timeouts(settings.longInteger(Setting.LIVENESS_MS), settings.longInteger(Setting.OPEN_TIMEOUT_MS),
                    settings.longInteger(Setting.STEP_TIMEOUT_MS), settings.integer(Setting.LEASE_MS));
        }
    }

    public ClusterBackend(Vertx vertx, ModelPromptPreparer preparer, GatewayLimits limits, Timeouts timeouts,
                          MeterRegistry meters) {
        this(vertx, preparer, limits, timeouts, meters, Tracing.OFF);
    }

    /** @param tracing this gateway's traces ({@link Tracing#OFF}: none) */
    public ClusterBackend(Vertx vertx, ModelPromptPreparer preparer, GatewayLimits limits, Timeouts timeouts,
                          MeterRegistry meters, Tracing tracing) {
        this.registry = new WorkerRegistry(vertx, preparer.modelName(), timeouts.livenessMillis());
        registry.start();
        String gatewayId = RequestIds.newInstanceId();
        this.beacon = new LeaseBeacon(vertx, gatewayId, timeouts.leaseMillis());
        beacon.start();
        GatewayMetrics metrics = new GatewayMetrics(meters);
        ServiceObserver observer = metrics;
        WireMeter meter = WireMeter.of(ShardStep.class, metrics::stepBytes);
        if (tracing.on()) {
            TracedService traced = new TracedService(metrics, tracing);
            observer = traced;
            meter = meter.and(traced.meter());
        }
        WireCodecs.registerAll(vertx.eventBus(), meter);
        ClusterRowExecutor executor = new ClusterRowExecutor(vertx, registry, gatewayId, timeouts.openMillis(),
                timeouts.stepMillis());
        this.service = new NbceService(vertx, preparer, executor, limits, observer, new RequestIds(gatewayId));
    }

    /** This gateway's instance id: the owner of its rows on every worker. */
    public String gatewayId() {
        return beacon.gatewayId();
    }

    /** Stops renewing the lease and tells the workers to free this gateway's rows (the last step of a stop). */
    public Future<Void> leave() {
        registry.stop();
        return beacon.stop();
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
