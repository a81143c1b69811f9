package dev.nbce.gateway.http;

import java.util.Set;

/**
 * How the HTTP server treats connections: who may call it and how long a connection may idle.
 *
 * @param apiKeys             accepted API keys; none: keys off (local use)
 * @param allowedOrigins      pages besides the gateway's own that may call the API from a browser
 * @param edge                sockets and pre-authentication bounds
 * @param idleTimeoutSeconds  a connection with no traffic for this long is closed (0: never)
 * @param headerTimeoutMillis a new connection must deliver its first request head within this
 */
public record HttpSettings(Set<String> apiKeys, Set<String> allowedOrigins, EdgeLimits edge, int idleTimeoutSeconds,
                           long headerTimeoutMillis) {
    public static final HttpSettings DEFAULT = new HttpSettings(Set.of(), Set.of(), EdgeLimits.DEFAULT, 300, 10_000);

    public HttpSettings {
        apiKeys = Set.copyOf(apiKeys);
        allowedOrigins = Set.copyOf(allowedOrigins);
        if (edge == null || idleTimeoutSeconds < 0 || headerTimeoutMillis < 1) {
            throw new IllegalArgumentException("HTTP settings: edge limits, idle timeout >= 0 and header timeout >= 1 ms required");
        }
    }

    public HttpSettings withApiKeys(Set<String> keys) {
        return new HttpSettings(keys, allowedOrigins, edge, idleTimeoutSeconds, headerTimeoutMillis);
    }

    public HttpSettings withAllowedOrigins(Set<String> origins) {
        return new HttpSettings(apiKeys, origins, edge, idleTimeoutSeconds, headerTimeoutMillis);
    }

    public HttpSettings withEdge(EdgeLimits limits) {
        return new HttpSettings(apiKeys, allowedOrigins, limits, idleTimeoutSeconds, headerTimeoutMillis);
    }

    public HttpSettings withHeaderTimeoutMillis(long millis) {
        return new HttpSettings(apiKeys, allowedOrigins, edge, idleTimeoutSeconds, millis);
    }
}
