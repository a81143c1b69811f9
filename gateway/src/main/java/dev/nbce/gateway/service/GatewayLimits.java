package dev.nbce.gateway.service;

/**
 * What one request or connection may ask of the gateway. Violations are 400/413 errors that say
 * which limit was hit.
 *
 * @param maxWindows            windows (rows less one) per request
 * @param maxContextTokens      prompt tokens over all rows of one request
 * @param maxNewTokens          upper bound on max_new_tokens
 * @param maxRequestBytes       HTTP body or WebSocket message size
 * @param maxRequestsPerSocket  concurrent generations on one WebSocket
 * @param maxActive             generations running at once on this gateway
 * @param maxQueued             generations waiting for a slot before "overloaded"
 * @param maxBufferedBytes      unsent bytes a slow client may accumulate before it is disconnected
 * @param capacityWaitMillis    how long an admitted request waits for free rows on the workers
 */
public record GatewayLimits(int maxWindows, int maxContextTokens, int maxNewTokens, int maxRequestBytes,
                            int maxRequestsPerSocket, int maxActive, int maxQueued, int maxBufferedBytes,
                            int capacityWaitMillis) {
    public static final GatewayLimits DEFAULT =
            new GatewayLimits(256, 262_144, 1024, 8 << 20, 16, 64, 256, 4 << 20, 60_000);

    public java.time.Duration capacityWait() {
        return java.time.Duration.ofMillis(capacityWaitMillis);
    }

    public GatewayLimits {
        if (maxWindows < 1 || maxContextTokens < 1 || maxNewTokens < 1 || maxRequestBytes < 1024
                || maxRequestsPerSocket < 1 || maxActive < 1 || maxQueued < 0 || maxBufferedBytes < 1024
                || capacityWaitMillis < 0) {
            throw new IllegalArgumentException("gateway limits must be positive");
        }
    }

    /** Reads NBCE_MAX_* environment variables over the defaults. */
    public static GatewayLimits fromEnvironment(java.util.Map<String, String> env) {
        return new GatewayLimits(
                integer(env, "NBCE_MAX_WINDOWS", DEFAULT.maxWindows),
                integer(env, "NBCE_MAX_CONTEXT_TOKENS", DEFAULT.maxContextTokens),
                integer(env, "NBCE_MAX_NEW_TOKENS", DEFAULT.maxNewTokens),
                integer(env, "NBCE_MAX_REQUEST_BYTES", DEFAULT.maxRequestBytes),
                integer(env, "NBCE_MAX_REQUESTS_PER_SOCKET", DEFAULT.maxRequestsPerSocket),
                integer(env, "NBCE_MAX_ACTIVE", DEFAULT.maxActive),
                integer(env, "NBCE_MAX_QUEUED", DEFAULT.maxQueued),
                integer(env, "NBCE_MAX_BUFFERED_BYTES", DEFAULT.maxBufferedBytes),
                integer(env, "NBCE_CAPACITY_WAIT_MS", DEFAULT.capacityWaitMillis));
    }

    private static int integer(java.util.Map<String, String> env, String name, int fallback) {
        String value = env.get(name);
        try {
            return value == null || value.isBlank() ? fallback : Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, got '" + value + "'");
        }
    }
}
