package dev.nbce.worker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which gateway owns each request this worker holds rows of, and until when that gateway's lease
 * runs. A gateway renews by heartbeat (or any command); when it stops, every request it owns is
 * handed back for closing, so a gateway that dies never leaks rows. Requests that arrive without an
 * owner (local tools, tests) are not leased. Not thread-safe: used on the verticle's context only.
 */
final class RowLeases {
    private final Map<String, String> ownerOfRequest = new HashMap<>();
    private final Map<String, Long> leaseEndNanos = new HashMap<>();
    /** Each gateway's own lease length, from its heartbeats. */
    private final Map<String, Long> leaseNanos = new HashMap<>();

    /** The gateway is alive now; its rows stay for at least {@code leaseMillis} more. */
    void renew(String gatewayId, long leaseMillis, long nowNanos) {
        leaseNanos.put(gatewayId, leaseMillis * 1_000_000L);
        leaseEndNanos.put(gatewayId, nowNanos + leaseMillis * 1_000_000L);
    }

    /** A command is proof of life too: renews with the gateway's own lease, {@code defaultLeaseMillis} until its first heartbeat. */
    void touch(String gatewayId, long defaultLeaseMillis, long nowNanos) {
        long lease = leaseNanos.getOrDefault(gatewayId, defaultLeaseMillis * 1_000_000L);
        leaseEndNanos.merge(gatewayId, nowNanos + lease, Math::max);
    }

    /**
     * Records {@code gatewayId} as the owner of {@code requestId}.
     *
     * @return false when another gateway already owns that request id here (the caller refuses the rows)
     */
    boolean claim(String requestId, String gatewayId) {
        String owner = ownerOfRequest.putIfAbsent(requestId, gatewayId);
        return owner == null || owner.equals(gatewayId);
    }

    /** The gateway that owns a request here, or null. */
    String ownerOf(String requestId) {
        return ownerOfRequest.get(requestId);
    }

    void release(String requestId) {
        ownerOfRequest.remove(requestId);
    }

    /** Forgets a gateway that said goodbye; returns the requests it owned, to close. */
    List<String> releaseGateway(String gatewayId) {
        leaseEndNanos.remove(gatewayId);
        leaseNanos.remove(gatewayId);
        return removeRequestsOf(List.of(gatewayId));
    }

    /** Drops every gateway whose lease ended before {@code nowNanos}; returns the requests they owned, to close. */
    List<String> expire(long nowNanos) {
        List<String> expired = leaseEndNanos.entrySet().stream()
                .filter(e -> e.getValue() - nowNanos < 0)
                .map(Map.Entry::getKey)
                .toList();
        expired.forEach(g -> {
            leaseEndNanos.remove(g);
            leaseNanos.remove(g);
        });
        return removeRequestsOf(expired);
    }

    /** Gateways currently holding a lease. */
    int gateways() {
        return leaseEndNanos.size();
    }

    private List<String> removeRequestsOf(List<String> gateways) {
        List<String> requests = new ArrayList<>();
        ownerOfRequest.entrySet().removeIf(e -> {
            if (gateways.contains(e.getValue())) {
                requests.add(e.getKey());
                return true;
            }
            return false;
        });
        return requests;
    }
}
