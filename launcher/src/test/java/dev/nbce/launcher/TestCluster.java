package dev.nbce.launcher;

import dev.nbce.launcher.cluster.ClusterSettings;
import dev.nbce.launcher.cluster.GatewayNode;
import dev.nbce.launcher.cluster.MetricsSetup;
import dev.nbce.launcher.cluster.WorkerNode;
import dev.nbce.launcher.config.Setting;
import dev.nbce.launcher.config.Settings;
import dev.nbce.launcher.tracing.Tracing;
import dev.nbce.worker.EngineWatchdog;
import dev.nbce.worker.decoder.DecoderOptions;
import dev.nbce.worker.decoder.PrefixCacheOptions;
import dev.nbce.worker.engine.EngineLimits;
import dev.nbce.worker.model.DeviceSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real Hazelcast cluster on loopback with a unique name: one gateway and in-JVM workers, each
 * its own cluster member with its own event bus. Workers and further gateways can be added mid-test.
 */
public final class TestCluster implements AutoCloseable {
    private final ClusterSettings settings;
    private final Path model;
    private final String modelName;
    private final GatewayNode gateway;
    private final List<WorkerNode> workers = new ArrayList<>();
    private final List<GatewayNode> moreGateways = new ArrayList<>();
    /** The gateway's settings: workers added by {@link #addWorker()} take their OTEL_* (tracing) from them too. */
    private final Map<String, String> env;

    public TestCluster(Path model, String modelName, int workerCount, Map<String, String> env) throws Exception {
        this(newSettings(), model, modelName, workerCount, env);
    }

    /** A unique loopback cluster name on a seed port of its own. */
    public static ClusterSettings newSettings() {
        return ClusterSettings.loopback("nbce-test-" + UUID.randomUUID(), ClusterSettings.freeSeedPort());
    }

    /** A cluster with the given settings (e.g. {@link ClusterSettings#withTls}). */
    public TestCluster(ClusterSettings settings, Path model, String modelName, int workerCount, Map<String, String> env)
            throws Exception {
        this.settings = settings;
        this.model = model;
        this.modelName = modelName;
        this.env = env;
        this.gateway = startGateway(env);
        for (int i = 0; i < workerCount; i++) {
            addWorker();
        }
        gateway.awaitWorkers(workerCount, 60_000);
    }

    private GatewayNode startGateway(Map<String, String> env) throws Exception {
        MetricsSetup metrics = new MetricsSetup();
        var vertx = settings.startVertx(metrics).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
        return GatewayNode.start(vertx, metrics, model, modelName, Settings.of(env), "127.0.0.1", 0);
    }

    /** Another gateway on this cluster, a member of its own like the first; closed with the cluster. */
    public GatewayNode addGateway(Map<String, String> env) throws Exception {
        GatewayNode another = startGateway(env);
        moreGateways.add(another);
        another.awaitWorkers(workers.size(), 60_000);
        return another;
    }

    public WorkerNode addWorker() throws Exception {
        WorkerNode worker = WorkerNode.start(settings, model, modelName, DeviceSpec.cpu(), DecoderOptions.DEFAULT,
                PrefixCacheOptions.DEFAULT, EngineLimits.DEFAULT, "worker-" + workers.size(),
                Setting.METRICS_HOST.spec().defaultValue(), 0, EngineWatchdog.DEFAULT_STALL_MILLIS, (rows, tokens, nanos) -> { },
                null, Tracing.from(Settings.of(env), WorkerNode.SERVICE_NAME));
        workers.add(worker);
        return worker;
    }

    /** A worker whose engine also calls {@code probe} on every forward (fault injection) and counts as stalled after {@code stallMillis}. */
    public WorkerNode addWorker(long stallMillis, dev.nbce.worker.engine.RowEngine.ForwardObserver probe) throws Exception {
        WorkerNode worker = WorkerNode.start(settings, model, modelName, DeviceSpec.cpu(), DecoderOptions.DEFAULT,
                EngineLimits.DEFAULT, "worker-" + workers.size(), 0, stallMillis, probe);
        workers.add(worker);
        return worker;
    }

    /** A worker with these limits whose engine {@code engines} builds (e.g. one with a forward that fails on purpose). */
    public WorkerNode addWorker(EngineLimits limits, WorkerNode.EngineFactory engines) throws Exception {
        WorkerNode worker = WorkerNode.start(settings, model, modelName, DeviceSpec.cpu(), DecoderOptions.DEFAULT,
                limits, "worker-" + workers.size(), 0, EngineWatchdog.DEFAULT_STALL_MILLIS,
                (rows, tokens, nanos) -> { }, engines);
        workers.add(worker);
        return worker;
    }

    public ClusterSettings settings() {
        return settings;
    }

    public GatewayNode gateway() {
        return gateway;
    }

    public List<WorkerNode> workers() {
        return workers;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + gateway.port();
    }

    public int activeRows() {
        return workers.stream().mapToInt(w -> w.engine().activeRows()).sum();
    }

    @Override
    public void close() throws Exception {
        for (WorkerNode worker : workers) {
            worker.close();
        }
        for (GatewayNode another : moreGateways) {
            another.close();
        }
        gateway.close();
    }
}
