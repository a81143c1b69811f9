package dev.nbce.common.wire;

import dev.nbce.common.nbce.PositionReport;
import dev.nbce.common.nbce.ScoreVector;
import dev.nbce.common.nbce.ShardReport;
import dev.nbce.common.step.LogitRules;
import dev.nbce.common.step.NbceParams;
import dev.nbce.common.step.Pooling;
import dev.nbce.common.step.StepParams;
import io.vertx.core.eventbus.EventBus;
import java.util.ArrayList;
import java.util.List;

/** The binary codecs of every protocol record; register them on each node's event bus. */
public final class WireCodecs {
    static final RecordCodec<OpenRows> OPEN_ROWS = new RecordCodec<>(OpenRows.class, (w, o) -> {
        StepParams p = o.params();
        w.putString(o.requestId()).putDouble(p.topP()).putDouble(p.nbce().beta()).putDouble(p.nbce().eta())
                .putInt(p.nbce().pooling().ordinal()).putInt(o.previousChosenRow()).putInt(o.step()).putInt(o.rows().size());
        o.rows().forEach(r -> w.putInt(r.row()).putInts(r.tokenIds()));
        w.putInt(o.answerTokens()).putString(o.traceparent());
        LogitRules rules = o.rules();
        w.putString(rules.constraint()).putInts(rules.eosIds()).putInts(rules.biasIds()).putDoubles(rules.biasValues());
    }, r -> {
        String id = r.getString();
        double topP = r.getDouble();
        double beta = r.getDouble();
        double eta = r.getDouble();
        Pooling pooling = r.getPooling();
        int previous = r.getInt();
        int step = r.getInt();
        int n = r.getInt();
        List<RowPrompt> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(new RowPrompt(r.getInt(), r.getInts()));
        }
        int answerTokens = r.getInt();
        String traceparent = r.getString();
        LogitRules rules = new LogitRules(r.getString(), r.getInts(), r.getInts(), r.getDoubles());
        return new OpenRows(id, new StepParams(topP, new NbceParams(beta, eta, pooling)), previous, step, rows,
                answerTokens, traceparent, rules.isNone() ? LogitRules.NONE : rules);
    });

    static final RecordCodec<Advance> ADVANCE = new RecordCodec<>(Advance.class,
            (w, a) -> w.putString(a.requestId()).putInt(a.step()).putInt(a.token()).putInt(a.chosenRow()).putInts(a.dropRows())
                    .putInt(a.keptDrafts()).putInts(a.drafts()),
            r -> new Advance(r.getString(), r.getInt(), r.getInt(), r.getInt(), r.getInts(), r.getInt(), r.getInts()));

    static final RecordCodec<CloseRequest> CLOSE = new RecordCodec<>(CloseRequest.class,
            (w, c) -> w.putString(c.requestId()),
            r -> new CloseRequest(r.getString()));

    static final RecordCodec<ShardStep> SHARD_STEP = new RecordCodec<>(ShardStep.class, (w, s) -> {
        ShardReport report = s.report();
        w.putString(s.requestId()).putInt(s.step())
                .putInts(report.rows()).putDoubles(report.entropies()).putInt(report.bestRow())
                .putScores(report.best()).putScores(report.row0()).putScores(report.sum()).putInt(report.sumCount());
        w.putInt(s.drafted().size());
        for (PositionReport p : s.drafted()) {
            w.putInts(p.rows()).putDoubles(p.entropies()).putInts(p.candidateRows());
            for (ScoreVector candidate : p.candidates()) {
                w.putScores(candidate);
            }
            w.putScores(p.row0()).putScores(p.sum()).putInt(p.sumCount());
        }
    }, r -> {
        String id = r.getString();
        int step = r.getInt();
        ShardReport report = new ShardReport(r.getInts(), r.getDoubles(), r.getInt(), r.getScores(), r.getScores(),
                r.getScores(), r.getInt());
        int positions = r.getInt();
        if (positions < 0 || positions > Advance.MAX_DRAFTS) {
            throw new IllegalArgumentException("corrupt message: " + positions + " drafted positions");
        }
        List<PositionReport> drafted = new ArrayList<>(positions);
        for (int k = 0; k < positions; k++) {
            int[] rows = r.getInts();
            double[] entropies = r.getDoubles();
            int[] candidateRows = r.getInts();
            ScoreVector[] candidates = new ScoreVector[candidateRows.length];
            for (int c = 0; c < candidates.length; c++) {
                candidates[c] = r.getScores();
            }
            drafted.add(new PositionReport(rows, entropies, candidateRows, candidates, r.getScores(), r.getScores(),
                    r.getInt()));
        }
        return new ShardStep(id, step, report, drafted);
    });

    static final RecordCodec<WorkerStatus> WORKER_STATUS = new RecordCodec<>(WorkerStatus.class,
            (w, s) -> w.putString(s.workerId()).putString(s.model()).putInt(s.capacityRows()).putInt(s.activeRows())
                    .putString(s.address()).putString(s.metricsUrl())
                    .putInt(s.prefixes().blockTokens()).putInts(s.prefixes().bits())
                    .putInt(s.capacityKvTokens()).putInt(s.freeKvTokens()),
            r -> new WorkerStatus(r.getString(), r.getString(), r.getInt(), r.getInt(), r.getString(), r.getString(),
                    new dev.nbce.common.prefix.PrefixDigest(r.getInt(), r.getInts()), r.getInt(), r.getInt()));

    static final RecordCodec<GatewayLease> GATEWAY_LEASE = new RecordCodec<>(GatewayLease.class,
            (w, l) -> w.putString(l.gatewayId()).putInt(l.leaseMillis()),
            r -> new GatewayLease(r.getString(), r.getInt()));

    /** Every codec; package-visible for the tests' round trip. */
    static final List<RecordCodec<?>> ALL = List.of(OPEN_ROWS, ADVANCE, CLOSE, SHARD_STEP, WORKER_STATUS,
            GATEWAY_LEASE);

    private WireCodecs() {}

    /** Registers every codec as the default for its record; idempotent per event bus. */
    public static void registerAll(EventBus eventBus) {
        registerAll(eventBus, WireMeter.NONE);
    }

    /**
     * Registers every codec, telling {@code meter} the size of each message decoded here. A metered
     * registration replaces an unmetered one (a worker verticle may share the gateway's event bus);
     * otherwise the first registration wins.
     */
    public static void registerAll(EventBus eventBus, WireMeter meter) {
        for (RecordCodec<?> codec : ALL) {
            if (meter != WireMeter.NONE) {
                eventBus.unregisterDefaultCodec(codec.type());
            }
            register(eventBus, codec.metered(meter));
        }
    }

    private static <T> void register(EventBus eventBus, RecordCodec<T> codec) {
        try {
            eventBus.registerDefaultCodec(codec.type(), codec);
        } catch (IllegalStateException alreadyRegistered) {
            // Several verticles of one Vert.x instance share the event bus.
        }
    }
}
