package dev.nbce.launcher.cluster;

import dev.nbce.launcher.config.Setting;
import dev.nbce.launcher.tracing.TracedOpens;
import dev.nbce.launcher.tracing.Tracing;
import dev.nbce.worker.EngineWatchdog;
import dev.nbce.worker.WorkerVerticle;
import dev.nbce.worker.decoder.DecoderOptions;
import dev.nbce.worker.decoder.LlamaDecoder;
import dev.nbce.worker.decoder.PrefixCacheOptions;
import dev.nbce.worker.engine.EngineLimits;
import dev.nbce.worker.engine.RowEngine;
import dev.nbce.worker.metrics.WorkerMetrics;
import dev.nbce.worker.model.DeviceSpec;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A running worker: clustered Vert.x, model, engine, verticle and its metrics server. */
public final class WorkerNode implements AutoCloseable {
    /** The service name of a worker's spans unless OTEL_SERVICE_NAME says otherwise. */
    public static final String SERVICE_NAME = "nbce-worker";

    private final Vertx vertx;
    private final LlamaDecoder decoder;
    private final RowEngine engine;
    private final WorkerVerticle verticle;
    private final HttpServer metricsServer;
    private final String metricsUrl;
    private final String metricsHost;
    private final Tracing tracing;

    private WorkerNode(Vertx vertx, LlamaDecoder decoder, RowEngine engine, WorkerVerticle verticle, HttpServer metricsServer,
                       String metricsUrl, String metricsHost, Tracing tracing) {
        this.metricsHost = metricsHost;
        this.tracing = tracing;
        this.vertx = vertx;
        this.decoder = decoder;
        this.engine = engine;
        this.verticle = verticle;
        this.metricsServer = metricsServer;
        this.metricsUrl = metricsUrl;
    }

    /** The address others reach the metrics server at: the bound host, or the cluster's public host for a wildcard bind. */
    private static String advertisedHost(ClusterSettings cluster, String bound) {
        if (!bound.equals("0.0.0.0") && !bound.equals("::")) {
            return bound;
        }
        if (cluster.publicHost() != null) {
            return cluster.publicHost();
        }
        return cluster.bindInterface() != null ? cluster.bindInterface() : ClusterSettings.LOOPBACK;
    }

    /** With the default decoder options, prefix cache, stall time and metrics host. */
    public static WorkerNode start(ClusterSettings cluster, Path modelDir, String modelName, DeviceSpec device,
                                   EngineLimits limits, String workerId, Integer metricsPort) throws Exception {
        return start(cluster, modelDir, modelName, device, DecoderOptions.DEFAULT, limits, workerId, metricsPort,
                EngineWatchdog.DEFAULT_STALL_MILLIS, (rows, tokens, nanos) -> { });
    }

    /**
     * @param metricsPort the configured metrics port, or null for the first free one from 9100
     * @param stallMillis an engine iteration running longer than this makes the worker unhealthy
     * @param probe       also told of every forward, on the engine thread (tests inject faults here)
     */
    public static WorkerNode start(ClusterSettings cluster, Path modelDir, String modelName, DeviceSpec device,
                                   DecoderOptions options, EngineLimits limits, String workerId, Integer metricsPort,
                                   long stallMillis, RowEngine.ForwardObserver probe) throws Exception {
        return start(cluster, modelDir, modelName, device, options, limits, workerId, metricsPort, stallMillis, probe,
                null);
    }

    /** With the default prefix cache and metrics host. */
    public static WorkerNode start(ClusterSettings cluster, Path modelDir, String modelName, DeviceSpec device,
                                   DecoderOptions options, EngineLimits limits, String workerId, Integer metricsPort,
                                   long stallMillis, RowEngine.ForwardObserver probe, EngineFactory engines) throws Exception {
        return start(cluster, modelDir, modelName, device, options, PrefixCacheOptions.DEFAULT, limits, workerId,
                Setting.METRICS_HOST.spec().defaultValue(), metricsPort, stallMillis, probe, engines);
    }

    /** Builds a worker's engine on its decoder: {@link RowEngine}'s constructor, or a test's engine with a faulty forward. */
    @FunctionalInterface
    public interface EngineFactory {
        RowEngine create(LlamaDecoder decoder, EngineLimits limits, RowEngine.ForwardObserver observer, String name);
    }

    /** Untraced. */
    public static WorkerNode start(ClusterSettings cluster, Path modelDir, String modelName, DeviceSpec device,
                                   DecoderOptions options, PrefixCacheOptions prefixCache, EngineLimits limits,
                                   String workerId, String metricsHost, Integer metricsPort, long stallMillis,
                                   RowEngine.ForwardObserver probe, EngineFactory engines) throws Exception {
        return start(cluster, modelDir, modelName, device, options, prefixCache, limits, workerId, metricsHost, metricsPort,
                stallMillis, probe, engines, Tracing.OFF);
    }

    /**
     * @param prefixCache the engine's prefix cache (used by {@link RowEngine}'s constructor; a given factory sets its own)
     * @param metricsHost the interface the metrics server binds
     * @param engines     builds the engine (tests inject failing forwards here); null: {@link RowEngine}'s constructor
     * @param tracing     the worker's spans (docs/operations.md: Tracing), closed with the node
     */
    public static WorkerNode start(ClusterSettings cluster, Path modelDir, String modelName, DeviceSpec device,
                                   DecoderOptions options, PrefixCacheOptions prefixCache, EngineLimits limits,
                                   String workerId, String metricsHost, Integer metricsPort, long stallMillis,
                                   RowEngine.ForwardObserver probe, EngineFactory engines, Tracing tracing)
            throws Exception {
        EngineFactory factory = engines != null ? engines
                : (d, l, observer, name) -> new RowEngine(d, l, observer, name, prefixCache);
        LlamaDecoder decoder = LlamaDecoder.load(modelDir, device, options);
        MetricsSetup metrics = new MetricsSetup();
        WorkerMetrics workerMetrics = new WorkerMetrics(metrics.registry());
        RowEngine engine = factory.create(decoder, limits, (rows, tokens, nanos) -> {
            workerMetrics.onForward(rows, tokens, nanos);
            probe.onForward(rows, tokens, nanos);
        }, "worker " + workerId + " (model " + modelName + ")");
        workerMetrics.watch(engine);
        EngineWatchdog watchdog = new EngineWatchdog(engine, stallMillis);
        Vertx vertx = cluster.startVertx(metrics).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
        try {
            HttpServer server = MetricsServer.start(vertx, metrics, metricsHost, metricsPort, watchdog::problem);
            String metricsUrl = "http://" + advertisedHost(cluster, metricsHost) + ":" + server.actualPort() + "/metrics";
            WorkerVerticle verticle = new WorkerVerticle(workerId, modelName, engine, 250, metricsUrl, watchdog,
                    TracedOpens.of(tracing));
            vertx.deployVerticle(verticle).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
            return new WorkerNode(vertx, decoder, engine, verticle, server, metricsUrl, metricsHost, tracing);
        } catch (Exception e) {
            new WorkerNode(vertx, decoder, engine, null, null, null, metricsHost, tracing).close();
            throw e;
        }
    }

    public String workerId() {
        return verticle.workerId();
    }

    public RowEngine engine() {
        return engine;
    }

    public LlamaDecoder decoder() {
        return decoder;
    }

    public int metricsPort() {
        return metricsServer.actualPort();
    }

    /** host:port the metrics server is bound to (0.0.0.0 = all interfaces). */
    public String metricsBinding() {
        return metricsHost + ":" + metricsPort();
    }

    public String metricsUrl() {
        return metricsUrl;
    }

    /**
     * SIGTERM behaviour (a scale-down, a rolling update): stop taking rows, wait for the gateway to move
     * the active ones, then leave. Returns the rows still open when the wait ended: 0 unless the gateways
     * did not move them within {@code timeoutMillis}.
     */
    public int drainAndClose(long timeoutMillis) throws Exception {
        verticle.drain();
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (engine.activeRows() > 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        int left = engine.activeRows();
        close();
        return left;
    }

    @Override
    public void close() throws Exception {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } finally {
            engine.close();
            decoder.close();
            tracing.close();
        }
    }
}
