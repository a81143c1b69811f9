package dev.nbce.gateway.session;

import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;
import dev.nbce.common.nbce.ShardReducer;
import dev.nbce.common.wire.Advance;
import dev.nbce.common.wire.OpenRows;
import dev.nbce.common.wire.RowPrompt;
import dev.nbce.common.wire.ShardStep;
import dev.nbce.common.wire.WorkerStatus;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Workers without a model or a cluster: each row's logits come from a {@link Model} of its tokens,
 * reduced with the real {@link ShardReducer}, and replies arrive on the {@link ManualClock} as the
 * event bus would deliver them, later. Workers can be filled, killed at a step, or made to hold
 * their replies.
 */
final class FakeRowExecutor implements RowExecutor {
    /** Next-token logits of a row, from everything it holds (prompt and appended tokens) and the step. */
    interface Model {
        float[] logits(int row, int[] tokens, int step);
    }

    /** What a worker was asked to do, in order. */
    record Command(String worker, Object body) {}

    private final class Worker {
        final String id;
        final int capacity;
        final int tokenCapacity;
        int occupied;
        int occupiedTokens;
        /** KV tokens each held row reserved when it was opened (prompt + the open's answer budget). */
        final Map<Integer, Integer> reserved = new LinkedHashMap<>();
        boolean dead;
        int dieAtStep = -1;
        ErrorCode refusal;
        boolean holdReplies;
        int opensBeforeDeath = -1;
        int opens;
        final Map<Integer, int[]> rows = new LinkedHashMap<>();
        final List<Runnable> held = new ArrayList<>();

        Worker(String id, int capacity, int tokenCapacity) {
            this.id = id;
            this.capacity = capacity;
            this.tokenCapacity = tokenCapacity;
        }

        int free() {
            return capacity - occupied - rows.size();
        }

        int freeKvTokens() {
            if (tokenCapacity == WorkerStatus.UNBOUNDED_TOKENS) {
                return tokenCapacity;
            }
            return tokenCapacity - occupiedTokens - reserved.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    private final ManualClock clock;
    private final Model model;
    private final Map<String, Worker> workers = new LinkedHashMap<>();
    final List<Command> commands = new ArrayList<>();

    FakeRowExecutor(ManualClock clock, Model model) {
        this.clock = clock;
        this.model = model;
    }

    FakeRowExecutor worker(String id, int capacity) {
        return worker(id, capacity, WorkerStatus.UNBOUNDED_TOKENS);
    }

    /** A worker that also holds at most {@code tokens} KV tokens. */
    FakeRowExecutor worker(String id, int capacity, int tokens) {
        workers.put(id, new Worker(id, capacity, tokens));
        return this;
    }

    /** Another request holds {@code tokens} KV tokens of the worker (negative: it frees them). */
    void occupyTokens(String worker, int tokens) {
        workers.get(worker).occupiedTokens += tokens;
    }

    /** Another request holds {@code rows} rows of the worker (negative: it frees them). */
    void occupy(String worker, int rows) {
        workers.get(worker).occupied += rows;
    }

    /** The worker fails the Advance to {@code step} as a dead one would, and is gone from then on. */
    void dieAtStep(String worker, int step) {
        workers.get(worker).dieAtStep = step;
    }

    /** The worker refuses every further command with {@code code}. */
    void refuse(String worker, ErrorCode code) {
        workers.get(worker).refusal = code;
    }

    /** The worker answers its first {@code opens} opens, then dies: the next open and all later commands fail. */
    void dieAfterOpens(String worker, int opens) {
        workers.get(worker).opensBeforeDeath = opens;
    }

    void holdReplies(String worker) {
        workers.get(worker).holdReplies = true;
    }

    /** Delivers the replies a worker held back. */
    void releaseReplies(String worker) {
        Worker w = workers.get(worker);
        w.holdReplies = false;
        w.held.forEach(r -> clock.schedule(0, r));
        w.held.clear();
    }

    int rowsOn(String worker) {
        return workers.get(worker).rows.size();
    }

    List<Command> commandsOf(Class<?> type) {
        return commands.stream().filter(c -> type.isInstance(c.body())).toList();
    }

    @Override
    public List<WorkerSlot> availableWorkers() {
        return workers.values().stream().filter(w -> !w.dead)
                .map(w -> new WorkerSlot(w.id, w.capacity, w.free(), null, w.tokenCapacity, w.freeKvTokens())).toList();
    }

    @Override
    public Future<ShardStep> open(String workerId, OpenRows open) {
        commands.add(new Command(workerId, open));
        Worker w = workers.get(workerId);
        if (w.opensBeforeDeath >= 0 && w.opens++ >= w.opensBeforeDeath) {
            w.dead = true;
        }
        if (w.dead) {
            return reply(w, null, new NbceException(ErrorCode.WORKER_LOST, workerId + " is gone"));
        }
        if (w.refusal != null) {
            return reply(w, null, new NbceException(w.refusal, workerId + " refuses"));
        }
        int need = open.rows().stream().mapToInt(r -> r.tokenIds().length + open.answerTokens()).sum();
        if (open.rows().size() > w.free() || need > w.freeKvTokens()) {
            return reply(w, null, new NbceException(ErrorCode.CAPACITY, workerId + " is full"));
        }
        for (RowPrompt row : open.rows()) {
            w.rows.put(row.row(), row.tokenIds());
            w.reserved.put(row.row(), row.tokenIds().length + open.answerTokens());
        }
        int[] rowIds = open.rows().stream().mapToInt(RowPrompt::row).toArray();
        return reply(w, report(w, rowIds, open, open.step(), open.previousChosenRow()), null);
    }

    @Override
    public Future<ShardStep> advance(String workerId, Advance advance) {
        commands.add(new Command(workerId, advance));
        Worker w = workers.get(workerId);
        if (w.dieAtStep == advance.step()) {
            w.dead = true;
        }
        if (w.dead) {
            return reply(w, null, new NbceException(ErrorCode.WORKER_LOST, workerId + " stopped responding"));
        }
        if (w.refusal != null) {
            return reply(w, null, new NbceException(w.refusal, workerId + " refuses"));
        }
        for (int dropped : advance.dropRows()) {
            w.rows.remove(dropped);
        }
        int[] rowIds = w.rows.keySet().stream().mapToInt(Integer::intValue).toArray();
        for (int row : rowIds) {
            int[] tokens = w.rows.get(row);
            int[] longer = Arrays.copyOf(tokens, tokens.length + 1);
            longer[tokens.length] = advance.token();
            w.rows.put(row, longer);
        }
        OpenRows params = firstOpen(workerId);
        return reply(w, report(w, rowIds, params, advance.step(), advance.chosenRow()), null);
    }

    @Override
    public void close(String workerId, String requestId) {
        commands.add(new Command(workerId, "close " + requestId));
        workers.get(workerId).rows.clear();
        workers.get(workerId).reserved.clear();
    }

    private OpenRows firstOpen(String workerId) {
        return (OpenRows) commands.stream().filter(c -> c.worker().equals(workerId) && c.body() instanceof OpenRows)
                .findFirst().orElseThrow().body();
    }

    private ShardStep report(Worker w, int[] rowIds, OpenRows open, int step, int previousChosenRow) {
        float[][] logits = new float[rowIds.length][];
        for (int i = 0; i < rowIds.length; i++) {
            logits[i] = model.logits(rowIds[i], w.rows.get(rowIds[i]), step);
        }
        return new ShardStep(open.requestId(), step, ShardReducer.reduce(rowIds, logits, open.params(), previousChosenRow));
    }

    private Future<ShardStep> reply(Worker w, ShardStep step, NbceException failure) {
        Promise<ShardStep> promise = Promise.promise();
        Runnable deliver = () -> {
            if (failure == null) {
                promise.complete(step);
            } else {
                promise.fail(failure);
            }
        };
        if (w.holdReplies) {
            w.held.add(deliver);
        } else {
            clock.schedule(0, deliver);
        }
        return promise.future();
    }
}
