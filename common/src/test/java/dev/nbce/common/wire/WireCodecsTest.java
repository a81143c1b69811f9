package dev.nbce.common.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;
import dev.nbce.common.nbce.ScoreVector;
import dev.nbce.common.nbce.PositionReport;
import dev.nbce.common.nbce.ShardReport;
import dev.nbce.common.step.LogitRules;
import dev.nbce.common.step.NbceParams;
import dev.nbce.common.step.Pooling;
import dev.nbce.common.step.StepParams;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WireCodecsTest {
    private static final ScoreVector SPARSE_ROW = new ScoreVector(152_064, new int[] {3, 17, 151_999},
            new double[] {-0.25f, -1.5f, -7.123456f});
    private static final ScoreVector DENSE_ROW = new ScoreVector(4, null,
            new double[] {Double.NEGATIVE_INFINITY, -0.1f, -2.5f, -30f});
    /** A sum of several rows: values that are not floats must survive as doubles. */
    private static final ScoreVector SPARSE_SUM = new ScoreVector(10, new int[] {0, 9}, new double[] {-0.1, -1.0 / 3});
    private static final ScoreVector DENSE_SUM = new ScoreVector(3, null, new double[] {-0.1, Double.NEGATIVE_INFINITY, -2});

    @Test
    void openRowsRoundTrips() {
        OpenRows open = new OpenRows("req-1", params(0.95, 0.3, 0.1, Pooling.AVERAGE), 3, 5,
                List.of(new RowPrompt(0, new int[] {1, 2, 3}), new RowPrompt(4, new int[0]),
                        new RowPrompt(7, new int[] {151_643, Integer.MAX_VALUE})));
        assertEquals(open, WireRoundTrip.roundTrip(open));
        OpenRows empty = new OpenRows("", params(1.0, 0.0, 0.0, Pooling.MIN_ENTROPY), -1, 0, List.of());
        assertEquals(empty, WireRoundTrip.roundTrip(empty));
        OpenRows budgeted = new OpenRows("req-2", params(0.9, 0.25, 0.1, Pooling.MIN_ENTROPY), -1, 0,
                List.of(new RowPrompt(0, new int[] {7})), 300);
        assertEquals(300, WireRoundTrip.roundTrip(budgeted).answerTokens());
        assertEquals("", WireRoundTrip.roundTrip(budgeted).traceparent(), "untraced");
        OpenRows traced = new OpenRows("req-3", params(0.9, 0.25, 0.1, Pooling.MIN_ENTROPY), -1, 0,
                List.of(new RowPrompt(0, new int[] {7})), 300, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        assertEquals(traced, WireRoundTrip.roundTrip(traced));
    }

    @Test
    void aRowReservesItsPromptAndAnswerWithinTheModel() {
        assertEquals(110, OpenRows.reservedTokens(10, 100, 2048));
        assertEquals(2048, OpenRows.reservedTokens(2000, 100, 2048), "never beyond the model's positions");
        assertEquals(2048, OpenRows.reservedTokens(10, OpenRows.UNKNOWN_ANSWER, 2048), "unknown answer: the whole model");
    }

    @Test
    void advanceCloseAndStatusRoundTrip() {
        Advance advance = new Advance("réq-☃-𝄞", 12, 151_643, 0);
        assertEquals(advance, WireRoundTrip.roundTrip(advance));
        Advance pruning = new Advance("p", 3, 7, 2, new int[] {1, 5, 64});
        assertEquals(pruning, WireRoundTrip.roundTrip(pruning));
        assertArrayEquals(new int[] {1, 5, 64}, WireRoundTrip.roundTrip(pruning).dropRows());
        Advance drafting = new Advance("d", 9, 7, 2, new int[0], 3, new int[] {0, 151_935, 12});
        assertEquals(drafting, WireRoundTrip.roundTrip(drafting));
        assertEquals(3, WireRoundTrip.roundTrip(drafting).keptDrafts());
        CloseRequest close = new CloseRequest("日本語-id");
        assertEquals(close, WireRoundTrip.roundTrip(close));
        WorkerStatus status = new WorkerStatus("worker-α", "nbce-demo", 64, 0, Addresses.worker("worker-α"), "http://10.0.0.7:9101/metrics");
        assertEquals(status, WireRoundTrip.roundTrip(status));
        WorkerStatus unnamed = new WorkerStatus("w", null, 0, 0, "nbce.worker.w", null);
        assertEquals(unnamed, WireRoundTrip.roundTrip(unnamed));
        WorkerStatus tokens = new WorkerStatus("w", "m", 512, 3, "nbce.worker.w", null, null, 90_000, 12_345);
        assertEquals(tokens, WireRoundTrip.roundTrip(tokens));
        assertEquals(WorkerStatus.UNBOUNDED_TOKENS, unnamed.freeKvTokens(), "an old-style status is not bounded by tokens");
    }

    @Test
    void shardStepsRoundTripWithEveryKindOfVector() {
        List<ShardReport> reports = List.of(
                new ShardReport(new int[] {0, 2, 5}, new double[] {4.5, 3.25, 1.0 / 3}, 5, SPARSE_ROW, SPARSE_ROW, null, 0),
                new ShardReport(new int[] {1}, new double[] {0.7}, 1, DENSE_ROW, null, null, 0),
                new ShardReport(new int[] {0, 1, 2}, new double[] {1, 2, 3}, 1, null, DENSE_ROW, DENSE_SUM, 2),
                new ShardReport(new int[] {3, 4}, new double[] {1, 2}, 3, null, null, SPARSE_SUM, 2),
                new ShardReport(new int[] {0}, new double[] {2.0}, -1, null,
                        new ScoreVector(5, new int[0], new double[0]), null, 0),
                new ShardReport(new int[0], new double[0], -1, null, null, null, 0));
        for (ShardReport report : reports) {
            ShardStep step = new ShardStep("r-é", 9, report);
            ShardStep back = WireRoundTrip.roundTrip(step);
            assertEquals(step.requestId(), back.requestId());
            assertEquals(9, back.step());
            assertEquals(report, back.report());
        }
    }

    @Test
    void draftedPositionsRoundTripWithTheirCandidates() {
        ShardReport first = new ShardReport(new int[] {0, 2}, new double[] {4.5, 3.25}, 2, SPARSE_ROW, SPARSE_ROW, null, 0);
        List<PositionReport> drafted = List.of(
                new PositionReport(new int[] {0, 2, 5}, new double[] {4.5, 1.0 / 3, 0.3}, new int[] {2, 5},
                        new ScoreVector[] {SPARSE_ROW, DENSE_ROW}, SPARSE_ROW, null, 0),
                new PositionReport(new int[] {3, 4}, new double[] {1, 2}, new int[0], new ScoreVector[0], null,
                        SPARSE_SUM, 2));
        ShardStep step = new ShardStep("r", 4, first, drafted);
        ShardStep back = WireRoundTrip.roundTrip(step);
        assertEquals(first, back.report());
        assertEquals(drafted, back.drafted());
        assertEquals(List.of(), WireRoundTrip.roundTrip(new ShardStep("r", 4, first)).drafted());
    }

    @Test
    void singleRowVectorsTravelAsFloatsAndSumsAsDoubles() {
        int rowBytes = sizeOf(new ShardStep("r", 1, new ShardReport(new int[] {1}, new double[] {1}, 1,
                new ScoreVector(1000, null, new double[1000]), null, null, 0)));
        int sumBytes = sizeOf(new ShardStep("r", 1, new ShardReport(new int[] {1}, new double[] {1}, 1, null, null,
                new ScoreVector(1000, null, filled(1000, -0.1)), 1)));
        assertTrue(rowBytes < 4_100 && sumBytes > 8_000, rowBytes + " / " + sumBytes);
    }

    private static double[] filled(int n, double value) {
        double[] out = new double[n];
        java.util.Arrays.fill(out, value);
        return out;
    }

    @SuppressWarnings("unchecked")
    private static int sizeOf(ShardStep step) {
        Buffer buffer = Buffer.buffer();
        ((MessageCodec<ShardStep, ShardStep>) (MessageCodec<?, ?>) WireCodecs.SHARD_STEP).encodeToWire(buffer, step);
        return buffer.length();
    }

    @Test
    void decodesAtAnOffsetInsideALargerFrame() {
        Advance advance = new Advance("id", 3, 99, 2);
        Buffer frame = Buffer.buffer().appendString("header-bytes");
        int at = frame.length();
        WireCodecs.ADVANCE.encodeToWire(frame, advance);
        frame.appendString("trailer");
        assertEquals(advance, WireCodecs.ADVANCE.decodeFromWire(at, frame));
    }

    @Test
    void corruptFramesFailCleanly() {
        Buffer good = Buffer.buffer();
        WireCodecs.OPEN_ROWS.encodeToWire(good, new OpenRows("x", params(0.9, 0.25, 0.1, Pooling.MIN_ENTROPY), -1, 0,
                List.of(new RowPrompt(0, new int[] {1, 2}))));
        Buffer truncated = good.getBuffer(0, good.length() - 3);
        assertThrows(RuntimeException.class, () -> WireCodecs.OPEN_ROWS.decodeFromWire(0, truncated));
        Buffer badPooling = good.copy();
        badPooling.setInt(4 + 4 + 1 + 8 + 8 + 8, 7); // length, id length, "x", topP, beta, eta, then the pooling ordinal
        assertTrue(assertThrows(IllegalArgumentException.class, () -> WireCodecs.OPEN_ROWS.decodeFromWire(0, badPooling))
                .getMessage().contains("pooling 7"));
        Buffer hugeCount = good.copy();
        hugeCount.setInt(4 + 4 + 1 + 8 + 8 + 8 + 4 + 4 + 4 + 4 + 4, Integer.MAX_VALUE); // the row's token count
        assertTrue(assertThrows(IllegalArgumentException.class, () -> WireCodecs.OPEN_ROWS.decodeFromWire(0, hugeCount))
                .getMessage().contains("length " + Integer.MAX_VALUE));
        Buffer extra = good.copy().appendInt(0);
        extra.setInt(0, good.getInt(0) + 4); // a frame longer than its fields
        assertThrows(IllegalArgumentException.class, () -> WireCodecs.OPEN_ROWS.decodeFromWire(0, extra));
    }

    /** One value of every record, with every kind of field the codecs write. */
    private static List<Object> samples() {
        return List.of(
                new OpenRows("запрос-🚀-1", params(0.9, 1.0 / 3, 0.35, Pooling.MIN_ENTROPY), 2, 7,
                        List.of(new RowPrompt(0, new int[] {1, 2, 3}), new RowPrompt(3, new int[] {5}),
                                new RowPrompt(9, new int[0]))),
                new OpenRows("o", params(0.9, 0.5, 0.1, Pooling.AVERAGE), -1, 0, List.of(new RowPrompt(0, new int[] {1})), 64),
                new OpenRows("c", params(0.9, 0.5, 0.1, Pooling.AVERAGE), -1, 0, List.of(new RowPrompt(0, new int[] {1})), 64,
                        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", new LogitRules("{\"type\":\"regex\",\"pattern\":\"é+\"}", new int[] {2, 128_009},
                                new int[] {5, 70_000}, new double[] {-100, 0.25})),
                new OpenRows("b", params(0.9, 0.5, 0.1, Pooling.AVERAGE), -1, 0, List.of(new RowPrompt(0, new int[] {1})), 64, "",
                        new LogitRules(null, new int[] {2}, new int[] {7}, new double[] {3.5})),
                new Advance("a-é", 1, 0, 3),
                new CloseRequest("ς"),
                new GatewayLease("gw-ü-1", 3000),
                new GatewayLease("gw-2", 0),
                new WorkerStatus("w-1", "tiny-llama", 32, 5, Addresses.worker("w-1"), null),
                new WorkerStatus("w-2", "tiny-llama", 32, 5, Addresses.worker("w-2"), null, null, 4096, 1024),
                new ShardStep("s", 3, new ShardReport(new int[] {0, 4, 1}, new double[] {0.1, Math.PI, 2.0 / 3}, 1,
                        SPARSE_ROW, new ScoreVector(152_064, new int[] {0, 151_999}, new double[] {-0.5f, -3f}), null, 0)),
                new ShardStep("s", 4, new ShardReport(new int[] {2, 3}, new double[] {1, 2}, 2, null, null, SPARSE_SUM, 2)),
                new ShardStep("s", 5, new ShardReport(new int[] {0, 1}, new double[] {1, 2}, 1, DENSE_ROW, DENSE_ROW, null, 0)),
                new ShardStep("s", 6, new ShardReport(new int[] {1, 2}, new double[] {1, 2}, 1, null, null, DENSE_SUM, 2)));
    }

    @Test
    void everySampleRoundTripsExactly() {
        for (Object value : samples()) {
            assertEquals(value, WireRoundTrip.roundTrip(value));
        }
    }

    @Test
    void aMeteredCodecReportsTheEncodedSizeOfWhatItDecodes() {
        for (Object value : samples()) {
            List<Integer> sizes = new java.util.ArrayList<>();
            @SuppressWarnings("unchecked")
            RecordCodec<Object> metered = ((RecordCodec<Object>) codecFor(value)).metered((message, bytes) -> {
                assertEquals(value, message);
                sizes.add(bytes);
            });
            Buffer buffer = Buffer.buffer("prefix");
            metered.encodeToWire(buffer, value);
            assertEquals(value, metered.decodeFromWire(6, buffer));
            assertEquals(List.of(buffer.length() - 6), sizes, value.getClass().getSimpleName());
        }
        List<Integer> reports = new java.util.ArrayList<>();
        WireMeter onlyReports = WireMeter.of(ShardStep.class, reports::add);
        for (Object value : samples()) {
            onlyReports.received(value, encoded(value).length());
        }
        assertEquals(samples().stream().filter(ShardStep.class::isInstance).map(v -> encoded(v).length()).toList(), reports);
    }

    @Test
    void sumsKeepEveryBitOfValuesThatAreNotFloats() {
        double[] values = {-0.1, -1.0 / 3, Math.nextDown(-2.0), -1e-300, -123456.789012345, -0.5};
        ScoreVector sparse = new ScoreVector(1 << 20, new int[] {0, 1, 77, 1000, 500_000, (1 << 20) - 1}, values);
        ScoreVector dense = new ScoreVector(values.length, null, values);
        ShardStep step = new ShardStep("r", 1, new ShardReport(new int[] {1, 2}, new double[] {-1.0 / 7, Double.MIN_VALUE}, 1,
                null, dense, sparse, 2));
        ShardReport back = WireRoundTrip.roundTrip(step).report();
        for (int i = 0; i < values.length; i++) {
            assertEquals(Double.doubleToRawLongBits(values[i]), Double.doubleToRawLongBits(back.sum().valueAtIndex(i)));
            assertEquals(Double.doubleToRawLongBits(values[i]), Double.doubleToRawLongBits(back.row0().valueAtIndex(i)));
        }
        assertArrayEquals(new double[] {-1.0 / 7, Double.MIN_VALUE}, back.entropies());
        assertArrayEquals(sparse.ids(), back.sum().ids());
    }

    @Test
    void everyTruncationFailsWithAnException() {
        for (Object value : samples()) {
            Buffer full = encoded(value);
            for (int cut = 0; cut < full.length(); cut++) {
                Buffer truncated = full.getBuffer(0, cut);
                assertDecodeFails(value, truncated, "cut at " + cut);
                if (cut >= 4) {
                    // the same prefix with its length field made consistent, so decoding runs into the missing fields
                    Buffer relabelled = truncated.copy();
                    relabelled.setInt(0, cut - 4);
                    assertDecodeFails(value, relabelled, "relabelled cut at " + cut);
                }
            }
        }
    }

    @Test
    void randomCorruptionNeverEscapesAsAnError() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(404);
        int failures = 0;
        int decoded = 0;
        for (Object value : samples()) {
            Buffer full = encoded(value);
            for (int trial = 0; trial < 400; trial++) {
                Buffer corrupt = full.copy();
                for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                    int at = random.nextInt(corrupt.length());
                    corrupt.setByte(at, (byte) (trial % 2 == 0 ? random.nextInt(256) : 0xFF));
                }
                try {
                    codecFor(value).decodeFromWire(0, corrupt);
                    decoded++; // a flipped value byte can still be a valid message
                } catch (RuntimeException expected) {
                    failures++;
                }
                // an OutOfMemoryError or StackOverflowError would propagate and fail the test
            }
        }
        assertTrue(failures > 500 && decoded > 100, failures + " rejected, " + decoded + " decoded");
    }

    private static void assertDecodeFails(Object value, Buffer buffer, String what) {
        try {
            codecFor(value).decodeFromWire(0, buffer);
        } catch (RuntimeException expected) {
            return;
        }
        throw new AssertionError(value.getClass().getSimpleName() + " decoded from a truncated buffer: " + what);
    }

    @SuppressWarnings("unchecked")
    private static MessageCodec<Object, Object> codecFor(Object value) {
        for (MessageCodec<?, ?> codec : List.of(WireCodecs.OPEN_ROWS, WireCodecs.ADVANCE, WireCodecs.CLOSE,
                WireCodecs.SHARD_STEP, WireCodecs.WORKER_STATUS, WireCodecs.GATEWAY_LEASE)) {
            if (((RecordCodec<?>) codec).type() == value.getClass()) {
                return (MessageCodec<Object, Object>) codec;
            }
        }
        throw new IllegalArgumentException(value.getClass().getName());
    }

    private static Buffer encoded(Object value) {
        Buffer buffer = Buffer.buffer();
        codecFor(value).encodeToWire(buffer, value);
        return buffer;
    }

    @Test
    void wireErrorsKeepColonsInTheMessageAndToleratePlainText() {
        WireError error = new WireError(ErrorCode.BAD_REQUEST, "row 3: token 99: out of range");
        assertEquals("bad_request:row 3: token 99: out of range", error.encode());
        assertEquals(error, WireError.decode(error.encode()));
        assertEquals(new WireError(ErrorCode.CAPACITY, ""), WireError.decode("capacity:"));
        assertEquals(new WireError(ErrorCode.INTERNAL, ":no code"), WireError.decode(":no code"));
        assertEquals(new WireError(ErrorCode.INTERNAL, "newer_code:text"), WireError.decode("newer_code:text"));
        assertEquals(new WireError(ErrorCode.INTERNAL, "worker gave no reason"), WireError.decode(null));
        assertEquals(4200, WireError.FAILURE_CODE);
    }

    @Test
    void codecsHaveUniqueNamesAndAreUserCodecs() {
        Set<String> names = new HashSet<>();
        for (MessageCodec<?, ?> codec : List.of(WireCodecs.OPEN_ROWS, WireCodecs.ADVANCE, WireCodecs.CLOSE,
                WireCodecs.SHARD_STEP, WireCodecs.WORKER_STATUS, WireCodecs.GATEWAY_LEASE)) {
            assertTrue(names.add(codec.name()), codec.name());
            assertEquals(-1, codec.systemCodecID());
        }
        CloseRequest close = new CloseRequest("a");
        assertSame(close, WireCodecs.CLOSE.transform(close), "local delivery passes the immutable record as is");
    }

    @Test
    void registeredCodecsCarryRecordsOverTheEventBus() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            WireCodecs.registerAll(vertx.eventBus());
            WireCodecs.registerAll(vertx.eventBus()); // a second verticle on the same bus
            vertx.eventBus().<Advance>consumer(Addresses.worker("w1"), m -> m.reply(new ShardStep(m.body().requestId(),
                    m.body().step(), new ShardReport(new int[] {1}, new double[] {0.5}, 1, SPARSE_ROW, null, null, 0))));
            ShardStep reply = vertx.eventBus().<ShardStep>request(Addresses.worker("w1"), new Advance("q", 4, 7, 1))
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).body();
            assertEquals("q", reply.requestId());
            assertEquals(4, reply.step());
            assertEquals(SPARSE_ROW, reply.report().best());
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void addressesAreStable() {
        assertEquals("nbce.worker.gpu-0", Addresses.worker("gpu-0"));
        assertEquals("nbce.workers.announce", Addresses.WORKER_ANNOUNCE);
        assertEquals("nbce.gateway.events", Addresses.GATEWAY_EVENTS);
        assertThrows(IllegalArgumentException.class, () -> Addresses.worker(""));
    }

    @Test
    void wireErrorsEncodeCodeAndMessage() {
        for (ErrorCode code : ErrorCode.values()) {
            WireError error = new WireError(code, "no free rows: 64 of 64 used");
            assertEquals(error, WireError.decode(error.encode()));
            NbceException back = WireError.decode(error.encode()).toException();
            assertEquals(code, back.code());
            assertEquals(error.message(), back.getMessage());
        }
        assertEquals(new WireError(ErrorCode.INTERNAL, "boom"), WireError.decode("boom"));
    }

    @Test
    void recordsRejectNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new RowPrompt(-1, new int[0]));
        assertThrows(IllegalArgumentException.class, () -> new Advance("a", 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Advance("a", 1, 1, 1, new int[] {0}), "row 0 is never dropped");
        assertThrows(NullPointerException.class, () -> new CloseRequest(null));
        assertThrows(IllegalArgumentException.class, () -> new WorkerStatus("w", "m", -1, 0, "a", null));
        assertArrayEquals(new int[] {1, 2}, new RowPrompt(0, new int[] {1, 2}).tokenIds());
    }

    private static StepParams params(double topP, double beta, double eta, Pooling pooling) {
        return new StepParams(topP, new NbceParams(beta, eta, pooling));
    }
}
