package dev.nbce.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.common.wire.Advance;
import dev.nbce.common.wire.OpenRows;
import dev.nbce.common.wire.ShardStep;
import dev.nbce.gateway.request.FinishReason;
import dev.nbce.gateway.request.GenerationRequest;
import dev.nbce.gateway.request.GenerationResult;
import dev.nbce.gateway.request.RequestParser;
import dev.nbce.gateway.session.ForwardingSessionListener;
import dev.nbce.gateway.session.GenerationPlan;
import dev.nbce.gateway.session.RowExecutor;
import dev.nbce.gateway.session.SessionListener;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every admitted request's trace hooks come in order and end once, a refusal for overload included; the rows are
 * opened with the context the trace hands out.
 */
class RequestObserverTest {
    /** One worker with room whose opens never answer: a request stays placed until it is cancelled. */
    private static final class SilentWorker implements RowExecutor {
        final BlockingQueue<OpenRows> opens = new LinkedBlockingQueue<>();

        @Override
        public List<WorkerSlot> availableWorkers() {
            return List.of(new WorkerSlot("w1", 8, 8));
        }

        @Override
        public Future<ShardStep> open(String workerId, OpenRows open) {
            opens.add(open);
            return Promise.<ShardStep>promise().future();
        }

        @Override
        public Future<ShardStep> advance(String workerId, Advance advance) {
            return Promise.<ShardStep>promise().future();
        }

        @Override
        public void close(String workerId, String requestId) {
        }
    }

    @Test
    void hooksComeInOrderAndEveryAdmittedRequestEnds() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> bothEnded = new CompletableFuture<>();
        ServiceObserver observer = new ServiceObserver() {
            @Override
            public RequestObserver admitted(String requestId, RequestOrigin origin) {
                events.add("admitted " + origin.name() + " " + origin.traceparent());
                return new RequestObserver() {
                    @Override
                    public void started() {
                        events.add("started");
                    }

                    @Override
                    public void prepared(GenerationPlan plan) {
                        events.add("prepared " + plan.rowCount() + " rows");
                    }

                    @Override
                    public SessionListener wrap(SessionListener listener) {
                        events.add("wrap");
                        return new ForwardingSessionListener(listener) {
                            @Override
                            public void onPlaced(Map<String, List<Integer>> rowsByWorker, int cachedPrefixRows) {
                                events.add("placed " + rowsByWorker);
                            }

                            @Override
                            public String traceparent() {
                                return "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
                            }
                        };
                    }

                    @Override
                    public void ended(GenerationResult result, Throwable failure) {
                        events.add(result != null ? "ended " + result.finishReason().wireName()
                                : "failed " + NbceException.of(failure).code().wireName());
                        if (events.stream().filter(e -> e.startsWith("ended") || e.startsWith("failed")).count() == 2) {
                            bothEnded.complete(null);
                        }
                    }
                };
            }
        };
        GatewayLimits oneAtATime = new GatewayLimits(256, 262_144, 64, GatewayLimits.DEFAULT.maxRequestBytes(), 16, 1, 0,
                GatewayLimits.DEFAULT.maxBufferedBytes(), 60_000);
        Vertx vertx = Vertx.vertx();
        try (ModelPromptPreparer preparer = ModelPromptPreparer.load(Fixtures.tinyLlama(), "tiny-llama")) {
            SilentWorker worker = new SilentWorker();
            NbceService service = new NbceService(vertx, preparer, worker, oneAtATime, observer);
            GenerationRequest request = RequestParser.parse("{\"question\":\"Which?\",\"contexts\":[\"a b c\",\"d e\"],"
                    + "\"max_new_tokens\":4}");
            RunningGeneration first = service.submit(request, SessionListener.NONE,
                    new RequestOrigin("POST /v1/generate", "00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01"));
            OpenRows open = worker.opens.poll(30, TimeUnit.SECONDS);
            assertEquals("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", open.traceparent(),
                    "the rows carry the trace's context");
            NbceException refused = assertThrows(NbceException.class,
                    () -> service.submit(request, SessionListener.NONE, RequestOrigin.INTERNAL));
            assertEquals(ErrorCode.OVERLOADED, refused.code());
            first.cancel();
            bothEnded.get(30, TimeUnit.SECONDS);
            assertEquals(FinishReason.CANCELLED, first.result().toCompletionStage().toCompletableFuture()
                    .get(30, TimeUnit.SECONDS).finishReason());
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        assertEquals(List.of("admitted POST /v1/generate 00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01",
                "started", "prepared 3 rows", "wrap", "placed {w1=[0, 1, 2]}",
                "admitted nbce generate null", "failed overloaded", "ended cancelled"), events);
    }
}
