package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nbce.common.wire.WorkerStatus;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The reference for tests of the prefix cache: a gateway and one worker process started with
 * {@code NBCE_PREFIX_CACHE=false} (in-JVM workers read the cache settings from this JVM's environment).
 */
final class CacheOffCluster implements AutoCloseable {
    private final TestCluster cluster;
    private final WorkerProcess worker;

    CacheOffCluster(Path model, String modelName, Map<String, String> gatewayEnv) throws Exception {
        cluster = new TestCluster(model, modelName, 0, gatewayEnv);
        try {
            worker = WorkerProcess.start(cluster.settings(), model, modelName, "cache-off",
                    List.of("--metrics-port", "0"), Map.of("NBCE_PREFIX_CACHE", "false"));
            cluster.gateway().awaitWorkers(1, 90_000);
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    String baseUrl() {
        return cluster.baseUrl();
    }

    /** Fails unless the worker restored nothing from a cache: the reference really ran without one. */
    void assertNothingRestored() throws Exception {
        WorkerStatus status = cluster.gateway().backend().registry().liveWorkers().get(0);
        assertEquals(0.0, PrefixCacheWatch.scrape(status.metricsUrl(), "nbce_prefix_cache_hit_tokens_total"),
                "the cache-off worker restored no prefix");
    }

    @Override
    public void close() throws Exception {
        try {
            worker.close();
        } finally {
            cluster.close();
        }
    }
}
