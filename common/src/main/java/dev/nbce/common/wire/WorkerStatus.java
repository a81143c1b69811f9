package dev.nbce.common.wire;

/** A worker's periodic announcement (also its heartbeat). Capacity 0 means it is draining. */
public record WorkerStatus(String workerId, String model, int capacityRows, int activeRows, String address) {}
