package dev.nbce.gateway.service;

import dev.nbce.gateway.speculation.Speculation;

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
 * @param speculation           how many tokens greedy requests draft and verify per step (docs/speculative-decoding.md)
 */
public record GatewayLimits(int maxWindows, int maxContextTokens, int maxNewTokens, int maxRequestBytes,
                            int maxRequestsPerSocket, int maxActive, int maxQueued, int maxBufferedBytes,
                            int capacityWaitMillis, Speculation speculation) {
    public static final GatewayLimits DEFAULT =
            new GatewayLimits(256, 262_144, 1024, 8 << 20, 16, 64, 256, 4 << 20, 60_000);

    /** With the default speculation. */
    public GatewayLimits(int maxWindows, int maxContextTokens, int maxNewTokens, int maxRequestBytes,
                         int maxRequestsPerSocket, int maxActive, int maxQueued, int maxBufferedBytes,
                         int capacityWaitMillis) {
        this(maxWindows, maxContextTokens, maxNewTokens, maxRequestBytes, maxRequestsPerSocket, maxActive, maxQueued,
                maxBufferedBytes, capacityWaitMillis, Speculation.DEFAULT);
    }

    public java.time.Duration capacityWait() {
        return java.time.Duration.ofMillis(capacityWaitMillis);
    }

    public GatewayLimits {
        if (maxWindows < 1 || maxContextTokens < 1 || maxNewTokens < 1 || maxRequestBytes < 1024
                || maxRequestsPerSocket < 1 || maxActive < 1 || maxQueued < 0 || maxBufferedBytes < 1024
                || capacityWaitMillis < 0 || speculation == null) {
            throw new IllegalArgumentException("gateway limits must be positive");
        }
    }

    public GatewayLimits withMaxRequestBytes(int bytes) {
        return new GatewayLimits(maxWindows, maxContextTokens, maxNewTokens, bytes, maxRequestsPerSocket, maxActive,
                maxQueued, maxBufferedBytes, capacityWaitMillis, speculation);
    }

    public GatewayLimits withCapacityWaitMillis(int millis) {
        return new GatewayLimits(maxWindows, maxContextTokens, maxNewTokens, maxRequestBytes, maxRequestsPerSocket,
                maxActive, maxQueued, maxBufferedBytes, millis, speculation);
    }

    public GatewayLimits withSpeculation(Speculation other) {
        return new GatewayLimits(maxWindows, maxContextTokens, maxNewTokens, maxRequestBytes, maxRequestsPerSocket,
                maxActive, maxQueued, maxBufferedBytes, capacityWaitMillis, other);
    }

}
