package dev.nbce.gateway.http;

import java.util.HashMap;
import java.util.Map;

/**
 * Counts open WebSockets, in total and per client address, and failed authentications per address
 * in the current minute. One instance per HTTP server; used on its event loop only.
 */
final class SocketAdmission {
    private static final long MINUTE_NANOS = 60_000_000_000L;

    private final EdgeLimits limits;
    private final Map<String, Integer> openByAddress = new HashMap<>();
    private final Map<String, Integer> failuresByAddress = new HashMap<>();
    private int open;
    private long windowStart = System.nanoTime();

    SocketAdmission(EdgeLimits limits) {
        this.limits = limits;
    }

    /** Why a new socket from {@code address} is refused, or null when it may open (and is now counted). */
    String admit(String address) {
        if (open >= limits.maxSockets()) {
            return "the gateway holds its maximum of " + limits.maxSockets() + " WebSockets";
        }
        int fromAddress = openByAddress.getOrDefault(address, 0);
        if (fromAddress >= limits.maxSocketsPerAddress()) {
            return "at most " + limits.maxSocketsPerAddress() + " WebSockets per client address";
        }
        open++;
        openByAddress.put(address, fromAddress + 1);
        return null;
    }

    /** A socket counted by {@link #admit} has closed. */
    void release(String address) {
        open--;
        openByAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    }

    /** The address has used up its failed authentications for this minute. */
    boolean locked(String address) {
        roll();
        return failuresByAddress.getOrDefault(address, 0) >= limits.authFailuresPerMinute();
    }

    void authFailed(String address) {
        roll();
        failuresByAddress.merge(address, 1, Integer::sum);
    }

    /** Seconds until the failure window ends (for Retry-After). */
    long secondsToUnlock() {
        return Math.max(1, (MINUTE_NANOS - (System.nanoTime() - windowStart)) / 1_000_000_000L);
    }

    private void roll() {
        long now = System.nanoTime();
        if (now - windowStart >= MINUTE_NANOS) {
            failuresByAddress.clear();
            windowStart = now;
        }
    }
}
