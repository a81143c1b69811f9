package dev.nbce.gateway.http;

import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Set;

/**
 * Optional API keys (NBCE_API_KEYS, comma separated). Off when none are configured, for local
 * use; on in the deployment manifests. Compared in constant time.
 */
final class ApiKeys {
    private final List<byte[]> keys;

    ApiKeys(Set<String> keys) {
        this.keys = keys.stream().filter(k -> !k.isBlank()).map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
    }

    boolean enabled() {
        return !keys.isEmpty();
    }

    boolean accepts(String candidate) {
        if (!enabled()) {
            return true;
        }
        if (candidate == null) {
            return false;
        }
        byte[] given = candidate.getBytes(StandardCharsets.UTF_8);
        boolean match = false;
        for (byte[] key : keys) {
            match |= MessageDigest.isEqual(key, given);
        }
        return match;
    }

    /**
     * The Bearer token of the Authorization header. Never a query parameter: URLs end up in proxy and
     * ingress logs. Browsers' WebSockets, which cannot set headers, send an {@code auth} message instead.
     */
    boolean accepts(HttpServerRequest request) {
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return accepts(header.substring(7).strip());
        }
        return accepts((String) null);
    }
}
