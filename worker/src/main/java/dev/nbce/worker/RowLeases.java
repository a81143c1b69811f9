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

    /** The gateway is alive now; its rows stay for at least {@code leaseMillis} more. */
    void renew(String gatewayId, long leaseMillis, long nowNanos) {
        leaseEndNanos.put(gatewayId, nowNanos + leaseMillis * 1_000_000L);
    }

    /** A command from a gateway renews it with {@code defaultLeaseMillis} unless a heartbeat already set a later end. */
    void touch(String gatewayId, long defaultLeaseMillis, long nowNanos) {
        leaseEndNanos.merge(gatewayId, nowNanos + defaultLeaseMillis * 1_000_000L, Math::max);
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
        return removeRequestsOf(List.of(gatewayId));
    }

    /** Drops every gateway whose lease ended before {@code nowNanos}; returns the requests they owned, to close. */
    List<String> expire(long nowNanos) {
        List<String> expired = leaseEndNanos.entrySet().stream()
                .filter(e -> e.getValue() - nowNanos < 0)
                .map(Map.Entry::getKey)
                .toList();
        expired.forEach(leaseEndNanos::remove);
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
