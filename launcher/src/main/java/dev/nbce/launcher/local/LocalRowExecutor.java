package dev.nbce.launcher.local;

import dev.nbce.common.error.NbceException;
import dev.nbce.common.wire.Advance;
import dev.nbce.common.wire.OpenRows;
import dev.nbce.common.wire.ShardStep;
import dev.nbce.gateway.session.RowExecutor;
import dev.nbce.worker.engine.RowEngine;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Runs rows on engines in this process: the reference path ({@code nbce generate}, eval, bench).
 * Several engines act as several workers, which lets tests check placement-independence without
 * a cluster.
 */
public final class LocalRowExecutor implements RowExecutor {
    private final Vertx vertx;
    private final Map<String, RowEngine> engines = new LinkedHashMap<>();

    public LocalRowExecutor(Vertx vertx, List<RowEngine> engines) {
        this.vertx = vertx;
        for (int i = 0; i < engines.size(); i++) {
            this.engines.put("local-" + i, engines.get(i));
        }
    }

    @Override
    public List<WorkerSlot> availableWorkers() {
        List<WorkerSlot> slots = new ArrayList<>();
        engines.forEach((id, engine) -> slots.add(new WorkerSlot(id, engine.capacityRows(), engine.capacityRows() - engine.activeRows(),
                engine.prefixDigest(), engine.capacityKvTokens(), engine.freeKvTokens())));
        return slots;
    }

    @Override
    public Future<ShardStep> open(String workerId, OpenRows open) {
        return onContext(engine(workerId).open(open));
    }

    @Override
    public Future<ShardStep> advance(String workerId, Advance advance) {
        return onContext(engine(workerId).advance(advance));
    }

    @Override
    public void close(String workerId, String requestId) {
        RowEngine engine = engines.get(workerId);
        if (engine != null) {
            engine.close(requestId);
        }
    }

    private RowEngine engine(String workerId) {
        RowEngine engine = engines.get(workerId);
        if (engine == null) {
            throw new IllegalArgumentException("no local worker " + workerId);
        }
        return engine;
    }

    /** Delivers the engine's reply on the calling session's context. */
    private Future<ShardStep> onContext(CompletableFuture<ShardStep> reply) {
        Context context = vertx.getOrCreateContext();
        Promise<ShardStep> promise = Promise.promise();
        reply.whenComplete((step, error) -> context.runOnContext(v -> {
            if (error == null) {
                promise.complete(step);
            } else {
                promise.fail(NbceException.of(error));
            }
        }));
        return promise.future();
    }
}
