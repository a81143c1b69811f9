package dev.nbce.gateway.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which web pages may drive the API from a browser (NBCE_ALLOWED_ORIGINS, comma-separated
 * {@code scheme://host[:port]}; default none besides the gateway's own page). A request with no
 * Origin header is not from a page's script and passes. A foreign Origin is refused before any
 * work — WebSocket upgrades included, which browsers never guard with CORS — so with keys off a site
 * the user visits cannot spend the cluster. Listed origins get CORS headers and preflight answers.
 */
final class OriginPolicy {
    private final Set<String> allowed;

    OriginPolicy(Set<String> allowed) {
        this.allowed = allowed.stream().map(OriginPolicy::normalize).collect(Collectors.toUnmodifiableSet());
    }

    /** Same origin as the page (the Origin names the Host the request was sent to), or listed. */
    boolean allows(HttpServerRequest request) {
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        if (origin == null) {
            return true;
        }
        String normalized = normalize(origin);
        return allowed.contains(normalized) || sameOrigin(normalized, request.getHeader(HttpHeaders.HOST));
    }

    /** Router handler for the API: refuse foreign origins; answer CORS for listed ones. */
    void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        if (!allows(request)) {
            HttpResponses.error(ctx, dev.nbce.common.error.ErrorCode.FORBIDDEN,
                    "Origin not allowed; the gateway accepts its own page and NBCE_ALLOWED_ORIGINS");
            return;
        }
        if (origin != null && allowed.contains(normalize(origin))) {
            ctx.response().putHeader("Access-Control-Allow-Origin", origin).putHeader("Vary", "Origin");
            if (request.method() == HttpMethod.OPTIONS && request.getHeader("Access-Control-Request-Method") != null) {
                ctx.response().setStatusCode(204)
                        .putHeader("Access-Control-Allow-Methods", "GET, POST")
                        .putHeader("Access-Control-Allow-Headers", "Authorization, Content-Type")
                        .putHeader("Access-Control-Max-Age", "600").end();
                return;
            }
        }
        ctx.next();
    }

    private static boolean sameOrigin(String origin, String host) {
        if (host == null) {
            return false;
        }
        try {
            URI uri = URI.create(origin);
            String authority = uri.getRawAuthority();
            return authority != null && ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                    && (authority.equalsIgnoreCase(host.strip()) || withDefaultPort(uri).equalsIgnoreCase(host.strip()));
        } catch (IllegalArgumentException notAUri) {
            return false;
        }
    }

    /** "https://h" and a Host of "h:443" are the same origin. */
    private static String withDefaultPort(URI uri) {
        int port = uri.getPort() >= 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
        return uri.getHost() + ":" + port;
    }

    private static String normalize(String origin) {
        String trimmed = origin.strip().toLowerCase(Locale.ROOT);
        return trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
    }
}
