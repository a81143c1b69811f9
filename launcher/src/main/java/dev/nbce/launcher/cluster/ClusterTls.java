package dev.nbce.launcher.cluster;

import dev.nbce.launcher.config.Setting;
import dev.nbce.launcher.config.Settings;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Mutual TLS for the event bus: every member presents a certificate issued by the cluster's own CA
 * and accepts only peers that do, in both directions (the event bus is client and server at once).
 *
 * <p>Trust is the CA alone, never the JDK's public roots and never trust-all. Vert.x's clustered
 * event bus turns hostname verification off on its client side (members dial IPs they read from the
 * cluster map), so a member's identity is "holds a key certified by this CA": keep that CA private
 * to the cluster. Member certificates still carry SANs for tools that do check names.
 *
 * @param cert PEM certificate of this member (NBCE_CLUSTER_TLS_CERT)
 * @param key  PEM PKCS#8 private key of this member (NBCE_CLUSTER_TLS_KEY)
 * @param ca   PEM certificate of the cluster CA (NBCE_CLUSTER_TLS_CA)
 */
public record ClusterTls(Path cert, Path key, Path ca) {
    public static final String CERT_ENV = Setting.CLUSTER_TLS_CERT.variable();
    public static final String KEY_ENV = Setting.CLUSTER_TLS_KEY.variable();
    public static final String CA_ENV = Setting.CLUSTER_TLS_CA.variable();

    /** The three variables, or null when none is set; some but not all set is a configuration error. */
    public static ClusterTls from(Settings settings) {
        String cert = settings.text(Setting.CLUSTER_TLS_CERT);
        String key = settings.text(Setting.CLUSTER_TLS_KEY);
        String ca = settings.text(Setting.CLUSTER_TLS_CA);
        if (cert == null && key == null && ca == null) {
            return null;
        }
        if (cert == null || key == null || ca == null) {
            throw new IllegalArgumentException("cluster TLS needs all of " + CERT_ENV + ", " + KEY_ENV + " and " + CA_ENV);
        }
        ClusterTls tls = new ClusterTls(Path.of(cert), Path.of(key), Path.of(ca));
        tls.checkReadable();
        return tls;
    }

    /** The environment variables that configure these files (for child processes). */
    public Map<String, String> environment() {
        return Map.of(CERT_ENV, cert.toString(), KEY_ENV, key.toString(), CA_ENV, ca.toString());
    }

    /** Turns on TLS with required client certificates on the event bus options. */
    public EventBusOptions apply(EventBusOptions options) {
        return options.setSsl(true)
                .setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert.toString()).setKeyPath(key.toString()))
                .setTrustOptions(new PemTrustOptions().addCertPath(ca.toString()))
                .setTrustAll(false)
                .setClientAuth(ClientAuth.REQUIRED);
    }

    private void checkReadable() {
        for (Map.Entry<String, Path> file : Map.of(CERT_ENV, cert, KEY_ENV, key, CA_ENV, ca).entrySet()) {
            if (!Files.isReadable(file.getValue())) {
                throw new IllegalArgumentException(file.getKey() + ": cannot read " + file.getValue());
            }
        }
    }
}
