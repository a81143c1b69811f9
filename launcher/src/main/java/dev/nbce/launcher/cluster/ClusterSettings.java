package dev.nbce.launcher.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import dev.nbce.launcher.config.Setting;
import dev.nbce.launcher.config.Settings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * How a process joins the cluster. Loopback by default (one machine; docs/design.md: Dependencies and why); a member list
 * or Kubernetes DNS discovery for fleets. Read from environment variables so that containers and
 * manifests configure it without files.
 *
 * @param clusterName   only members with the same name join each other
 * @param members       TCP-IP join list (host or host:port); ignored with Kubernetes discovery
 * @param port          Hazelcast member port (auto-increments when taken)
 * @param bindInterface interface Hazelcast binds to; null = let Hazelcast choose
 * @param kubernetesServiceDns headless service for Kubernetes discovery; null = TCP-IP join
 * @param eventBusHost  host the event bus listens on
 * @param eventBusPort  0 = any free port
 * @param publicHost    host other members use to reach this event bus
 * @param tls           mutual TLS for the event bus; null = plain TCP (warned about off loopback)
 */
public record ClusterSettings(String clusterName, List<String> members, int port, String bindInterface,
                              String kubernetesServiceDns, String eventBusHost, int eventBusPort,
                              String publicHost, ClusterTls tls) {
    public static final String LOOPBACK = "127.0.0.1";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("nbce.cluster");

    public ClusterSettings {
        if (clusterName == null || clusterName.isBlank()) {
            throw new IllegalArgumentException("cluster name must not be blank");
        }
        members = List.copyOf(members);
        if (kubernetesServiceDns == null && members.isEmpty()) {
            throw new IllegalArgumentException(Setting.CLUSTER_MEMBERS.variable() + " must name at least one member");
        }
        if (port < 1 || port > 65535 || eventBusPort < 0 || eventBusPort > 65535) {
            throw new IllegalArgumentException("cluster ports must be within 0..65535");
        }
    }

    /** Everything on 127.0.0.1: the default for `nbce serve` and for tests (pass a unique name). */
    public static ClusterSettings loopback(String clusterName) {
        return new ClusterSettings(clusterName, List.of(LOOPBACK), 5701, LOOPBACK, null, LOOPBACK, 0, LOOPBACK, null);
    }

    /**
     * Loopback with a seed port of its own: the first member binds {@code seedPort}, the others
     * join through it. Without this, clusters started side by side on one machine (tests, a
     * benchmark next to a running serve) take each other's default ports and never find their peers.
     */
    public static ClusterSettings loopback(String clusterName, int seedPort) {
        return new ClusterSettings(clusterName, List.of(LOOPBACK + ":" + seedPort), seedPort, LOOPBACK, null, LOOPBACK, 0,
                LOOPBACK, null);
    }

    /** The same settings with event-bus mutual TLS (null: none). */
    public ClusterSettings withTls(ClusterTls newTls) {
        return new ClusterSettings(clusterName, members, port, bindInterface, kubernetesServiceDns, eventBusHost,
                eventBusPort, publicHost, newTls);
    }

    /** Every member, the event bus and Hazelcast's interface on 127.0.0.1: nothing off this machine can reach it. */
    public boolean loopbackOnly() {
        return kubernetesServiceDns == null && members.stream().allMatch(m -> m.startsWith(LOOPBACK))
                && LOOPBACK.equals(eventBusHost) && LOOPBACK.equals(bindInterface);
    }

    /** A currently free TCP port on loopback, to seed a private cluster. */
    public static int freeSeedPort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(LOOPBACK))) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("no free port for the cluster", e);
        }
    }

    /** NBCE_CLUSTER_NAME, NBCE_CLUSTER_MEMBERS, NBCE_CLUSTER_PORT, NBCE_CLUSTER_INTERFACE,
     *  NBCE_CLUSTER_KUBERNETES + NBCE_K8S_SERVICE_DNS, NBCE_EVENTBUS_HOST, NBCE_EVENTBUS_PORT, NBCE_PUBLIC_HOST,
     *  NBCE_CLUSTER_TLS_CERT + NBCE_CLUSTER_TLS_KEY + NBCE_CLUSTER_TLS_CA. */
    public static ClusterSettings from(Settings settings) {
        List<String> members = settings.list(Setting.CLUSTER_MEMBERS);
        boolean kubernetes = settings.bool(Setting.CLUSTER_KUBERNETES);
        String dns = kubernetes ? required(settings, Setting.K8S_SERVICE_DNS) : null;
        boolean loopbackOnly = !kubernetes && !members.isEmpty() && members.get(0).startsWith(LOOPBACK);
        String defaultHost = loopbackOnly ? LOOPBACK : "0.0.0.0";
        return new ClusterSettings(
                settings.text(Setting.CLUSTER_NAME),
                members,
                settings.integer(Setting.CLUSTER_PORT),
                orElse(settings.text(Setting.CLUSTER_INTERFACE), loopbackOnly ? LOOPBACK : null),
                dns,
                orElse(settings.text(Setting.EVENTBUS_HOST), defaultHost),
                settings.integer(Setting.EVENTBUS_PORT),
                orElse(settings.text(Setting.PUBLIC_HOST), loopbackOnly ? LOOPBACK : null),
                ClusterTls.from(settings));
    }

    private static String orElse(String value, String fallback) {
        return value != null ? value : fallback;
    }

    /** Hazelcast configuration: no multicast or cloud auto-detection, fast join, no phone-home. */
    public Config hazelcastConfig() {
        Config config = ConfigUtil.loadConfig();
        config.setClusterName(clusterName);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.max.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.logging.type", "slf4j");
        // Our own SIGTERM handling drains rows first; Hazelcast's hook would leave the cluster under it.
        config.setProperty("hazelcast.shutdownhook.enabled", "false");
        config.getNetworkConfig().setPort(port).setPortAutoIncrement(true);
        JoinConfig join = config.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getAwsConfig().setEnabled(false);
        if (kubernetesServiceDns != null) {
            join.getTcpIpConfig().setEnabled(false);
            join.getKubernetesConfig().setEnabled(true).setProperty("service-dns", kubernetesServiceDns);
        } else {
            join.getKubernetesConfig().setEnabled(false);
            join.getTcpIpConfig().setEnabled(true).setMembers(members);
        }
        if (bindInterface != null) {
            config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface(bindInterface);
            // Otherwise Hazelcast listens on every interface and only advertises this one: a loopback
            // cluster would still accept members from the network.
            config.setProperty("hazelcast.socket.bind.any", "false");
        }
        return config;
    }

    public EventBusOptions eventBusOptions() {
        EventBusOptions eventBus = new EventBusOptions().setHost(eventBusHost).setPort(eventBusPort);
        if (publicHost != null) {
            eventBus.setClusterPublicHost(publicHost);
        }
        return tls == null ? eventBus : tls.apply(eventBus);
    }

    /** Starts a clustered Vert.x instance with these settings, reporting to {@code metrics}. */
    public Future<Vertx> startVertx(MetricsSetup metrics) {
        if (tls == null && !loopbackOnly()) {
            LOG.warn("cluster transport is NOT authenticated or encrypted: any process that reaches the Hazelcast and "
                    + "event-bus ports can join cluster '{}' and read prompts; set {}, {} and {} (see deploy/README.md)",
                    clusterName, ClusterTls.CERT_ENV, ClusterTls.KEY_ENV, ClusterTls.CA_ENV);
        }
        VertxOptions options = new VertxOptions().setEventBusOptions(eventBusOptions());
        return metrics.install(Vertx.builder(), options)
                .withClusterManager(new HazelcastClusterManager(hazelcastConfig()))
                .buildClustered();
    }

    private static String required(Settings settings, Setting setting) {
        if (!settings.isSet(setting)) {
            throw new IllegalArgumentException(setting.variable() + " is required with "
                    + Setting.CLUSTER_KUBERNETES.variable() + "=true");
        }
        return settings.text(setting);
    }

}
