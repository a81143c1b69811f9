package dev.nbce.gateway.http;

/**
 * What an unauthenticated client may do before it proves a key, and how many sockets anyone may hold.
 *
 * @param maxSockets             WebSocket connections open at once (NBCE_MAX_SOCKETS)
 * @param maxSocketsPerAddress   of those, from one client address (NBCE_MAX_SOCKETS_PER_ADDRESS)
 * @param authFailuresPerMinute  failed keys one address may try per minute; beyond, its upgrades and
 *                               requests get 429 until the minute is over (NBCE_MAX_AUTH_FAILURES_PER_MINUTE)
 * @param preAuthMaxBytes        largest frame and message before authentication (NBCE_PREAUTH_MAX_BYTES)
 * @param authTimeoutMillis      a socket must authenticate within this or is closed with 1008 (NBCE_WS_AUTH_TIMEOUT_MS)
 */
public record EdgeLimits(int maxSockets, int maxSocketsPerAddress, int authFailuresPerMinute, int preAuthMaxBytes,
                  long authTimeoutMillis) {
    public static final EdgeLimits DEFAULT = new EdgeLimits(4096, 64, 10, 4096, 5000);

    public EdgeLimits {
        if (maxSockets < 1 || maxSocketsPerAddress < 1 || authFailuresPerMinute < 1 || preAuthMaxBytes < 128
                || authTimeoutMillis < 1) {
            throw new IllegalArgumentException("edge limits must be positive (pre-auth bytes at least 128)");
        }
    }

}
