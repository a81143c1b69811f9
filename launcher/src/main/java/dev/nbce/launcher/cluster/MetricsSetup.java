package dev.nbce.launcher.cluster;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

/**
 * One Prometheus registry per process, fed by Vert.x's own HTTP/event-bus metrics
 * (vertx-micrometer-metrics) and by the NBCE meters the gateway and worker register.
 */
public final class MetricsSetup {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Adds Vert.x metrics to the options and the builder. */
    public VertxBuilder install(VertxBuilder builder, VertxOptions options) {
        // A registry name of its own: several Vert.x instances in one JVM (tests, serve) must not share meters.
        options.setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
                .setRegistryName("nbce-" + System.identityHashCode(registry)));
        return builder.with(options).withMetrics(new MicrometerMetricsFactory(registry));
    }

    /** Prometheus text exposition of everything registered. */
    public String scrape() {
        return registry.scrape();
    }
}
