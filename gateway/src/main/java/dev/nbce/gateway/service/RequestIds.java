package dev.nbce.gateway.service;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Request ids unique across every gateway of a cluster: the gateway's own instance id plus a counter.
 * Workers key rows by request id, so two gateways must never produce the same one (a clock-based id
 * does, for two replicas in the same millisecond).
 */
public final class RequestIds {
    private final String instanceId;
    private final AtomicLong counter = new AtomicLong();

    public RequestIds(String instanceId) {
        if (instanceId == null || instanceId.isBlank()) {
            throw new IllegalArgumentException("instance id required");
        }
        this.instanceId = instanceId;
    }

    /** A fresh random instance id, e.g. {@code gw-3f2a9c1b7d04}. */
    public static String newInstanceId() {
        return "gw-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    public String next() {
        return instanceId + "-" + Long.toString(counter.incrementAndGet(), 36);
    }
}
