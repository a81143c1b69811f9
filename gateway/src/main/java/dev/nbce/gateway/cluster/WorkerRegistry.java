package dev.nbce.gateway.cluster;

import dev.nbce.common.wire.Addresses;
import dev.nbce.common.wire.WorkerStatus;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The workers the gateway knows, from their periodic announcements. A worker silent for longer
 * than the liveness timeout is declared dead at once — the event bus would only notice after its
 * 30 s reply timeout, Hazelcast after its heartbeat timeout. Used on the gateway's event loop only.
 */
public final class WorkerRegistry {
    private record Entry(WorkerStatus status, long lastSeenNanos) {}

    private final Vertx vertx;
    private final String model;
    private final long livenessNanos;
    private final Map<String, Entry> workers = new LinkedHashMap<>();
    private final List<Consumer<String>> deathListeners = new ArrayList<>();
    private volatile int liveCount;
    private MessageConsumer<WorkerStatus> consumer;
    private long sweepTimer;

    /** @param model only workers serving this model are offered for placement */
    public WorkerRegistry(Vertx vertx, String model, long livenessMillis) {
        this.vertx = vertx;
        this.model = model;
        this.livenessNanos = livenessMillis * 1_000_000L;
    }

    public void start() {
        consumer = vertx.eventBus().consumer(Addresses.WORKER_ANNOUNCE, m -> onAnnounce(m.body()));
        sweepTimer = vertx.setPeriodic(Math.max(50, livenessNanos / 1_000_000 / 4), id -> sweep());
    }

    public void stop() {
        vertx.cancelTimer(sweepTimer);
        if (consumer != null) {
            consumer.unregister();
        }
    }

    /** Called with a worker id when it is declared dead. */
    public void onDeath(Consumer<String> listener) {
        deathListeners.add(listener);
    }

    /** Live workers that serve this gateway's model. */
    public List<WorkerStatus> liveWorkers() {
        return workers.values().stream().map(Entry::status).filter(s -> s.model().equals(model)).toList();
    }

    public boolean isLive(String workerId) {
        return workers.containsKey(workerId);
    }

    /** Any live worker has the model and room for rows: what /ready reports. */
    public boolean ready() {
        return liveWorkers().stream().anyMatch(s -> s.capacityRows() > 0);
    }

    /** Live workers serving the model; safe to read from any thread (tests, readiness waits). */
    public int liveCount() {
        return liveCount;
    }

    private void onAnnounce(WorkerStatus status) {
        workers.put(status.workerId(), new Entry(status, System.nanoTime()));
        liveCount = liveWorkers().size();
    }

    private void sweep() {
        long now = System.nanoTime();
        List<String> dead = workers.entrySet().stream()
                .filter(e -> now - e.getValue().lastSeenNanos() > livenessNanos)
                .map(Map.Entry::getKey)
                .toList();
        for (String workerId : dead) {
            workers.remove(workerId);
            deathListeners.forEach(l -> l.accept(workerId));
        }
        liveCount = liveWorkers().size();
    }
}
