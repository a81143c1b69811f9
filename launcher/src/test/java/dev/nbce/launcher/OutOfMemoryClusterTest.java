package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.common.testing.Http;
import dev.nbce.common.testing.StartsCluster;
import dev.nbce.common.testing.WsClient;
import dev.nbce.launcher.cluster.WorkerNode;
import dev.nbce.worker.engine.EngineLimits;
import dev.nbce.worker.engine.FaultyForward;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Issue 10 item 6 through a real cluster, as a client sees it: a worker's forward runs out of memory
 * (a {@link FaultyForward} fails every forward holding a poison token, with PyTorch's CUDA message
 * through DJL) for two requests while a long stream decodes on the same worker. The stream goes on
 * exactly, never re-placed; the request poisoned on that worker only moves to the other worker and
 * gives the reference ids; the one poisoned on both ends with a clear error naming the workers; the
 * workers stay healthy, count the forwards, free every row and serve exactly afterwards.
 */
@StartsCluster
class OutOfMemoryClusterTest {
    /** Tokens of the stream: long enough that the two other requests end while it decodes. */
    private static final int STREAM_TOKENS = 400;

    @Test
    void anOutOfMemoryForwardFailsOnlyTheRequestsThatCauseItAndTheWorkersStayHealthy() throws Exception {
        JsonNode cases = Fixtures.tinyLlamaReference().get("nbce");
        JsonNode streamCase = cases.get(0);
        JsonNode movedCase = cases.get(3);
        JsonNode failedCase = cases.get(1);
        try (TestCluster cluster = new TestCluster(Fixtures.tinyLlama(), "tiny-llama", 0, Map.of())) {
            // The roomy worker announces far more free KV tokens, so every row is placed there first.
            AtomicReference<FaultyForward> roomyForward = new AtomicReference<>();
            AtomicReference<FaultyForward> smallForward = new AtomicReference<>();
            EngineLimits d = EngineLimits.DEFAULT;
            WorkerNode roomy = addFaultyWorker(cluster, d, roomyForward);
            WorkerNode small = addFaultyWorker(cluster,
                    new EngineLimits(d.capacityRows(), d.maxBatchTokens(), d.maxAttentionCells(), d.batchWaitNanos(), 1L << 20),
                    smallForward);
            cluster.gateway().awaitWorkers(2, 60_000);
            assertTrue(roomy.engine().capacityKvTokens() > 10 * small.engine().capacityKvTokens(),
                    roomy.engine().capacityKvTokens() + " vs " + small.engine().capacityKvTokens() + " KV tokens");

            ObjectNode stream = ClusterExactnessTest.requestJson(streamCase).put("max_new_tokens", STREAM_TOKENS);
            long aloneStart = System.nanoTime();
            JsonNode streamAlone = ClusterExactnessTest.postGenerate(cluster.baseUrl(), stream).get("token_ids");
            long aloneNanos = System.nanoTime() - aloneStart;
            assertEquals(STREAM_TOKENS, streamAlone.size());
            for (int i = 0; i < streamCase.get("generated_ids").size(); i++) {
                assertEquals(streamCase.get("generated_ids").get(i), streamAlone.get(i), "the reference starts the stream");
            }

            // A token of each question (so in every row of its request) that the requests meant to succeed never feed.
            Set<Integer> streamTokens = tokens(streamCase.get("row_input_ids"), streamAlone);
            int movedPoison = poisonIn(movedCase, streamTokens);
            streamTokens.addAll(tokens(movedCase.get("row_input_ids"), movedCase.get("generated_ids")));
            int failedPoison = poisonIn(failedCase, streamTokens);
            roomyForward.get().poison(movedPoison, failedPoison);
            smallForward.get().poison(failedPoison);
            double replacedBefore = metric(cluster.baseUrl() + "/metrics", "nbce_row_replacements_total");

            int streamRows = streamCase.get("row_input_ids").size();
            int movedRows = movedCase.get("row_input_ids").size();
            int failedRows = failedCase.get("row_input_ids").size();
            try (WsClient ws = new WsClient(cluster.baseUrl())) {
                ws.send(WsClient.generateFrame("stream", stream));
                assertEquals("token", ws.next(60).get("type").asText());
                assertEquals(streamRows, roomy.engine().activeRows(), "the stream decodes on the roomy worker");
                assertEquals(0, small.engine().activeRows());

                long t0 = System.nanoTime();
                ws.send(WsClient.generateFrame("moved", ClusterExactnessTest.requestJson(movedCase)));
                JsonNode moved = last(ws.until("moved", 30));
                long movedNanos = System.nanoTime() - t0;
                assertEquals("done", moved.get("type").asText(), moved.toString());
                assertEquals(movedCase.get("generated_ids"), moved.get("result").get("token_ids"),
                        "out of memory on one worker: the reference ids from the other");

                t0 = System.nanoTime();
                ws.send(WsClient.generateFrame("failed", ClusterExactnessTest.requestJson(failedCase)));
                List<JsonNode> failedFrames = ws.until("failed", 30);
                long failedNanos = System.nanoTime() - t0;
                JsonNode failed = last(failedFrames);
                assertEquals(List.of(failed), failedFrames, "no token before the error");
                assertEquals("error", failed.get("type").asText(), failed.toString());
                assertEquals("worker_failed", failed.get("code").asText(), failed.toString());
                String message = failed.get("message").asText();
                assertTrue(message.contains("every worker") && message.contains(roomy.workerId())
                        && message.contains(small.workerId()) && message.contains("ran out of memory")
                        && message.contains("CUDA out of memory. Tried to allocate"), message);
                assertEquals(streamRows, roomy.engine().activeRows(), "the stream was still decoding, on the same rows");

                JsonNode done = last(ws.until("stream", 60));
                assertEquals("done", done.get("type").asText(), done.toString());
                assertEquals(streamAlone, done.get("result").get("token_ids"), "the stream beside the failures is exact");
                System.out.printf("out of memory: on one worker -> done with the reference ids after %.0f ms;"
                        + " on both -> worker_failed after %.0f ms; the %d-token stream beside them (%.0f ms alone) exact%n",
                        movedNanos / 1e6, failedNanos / 1e6, STREAM_TOKENS, aloneNanos / 1e6);
            }
            // Each of moved's rows moved once, each of failed's twice: none of the stream's ever moved.
            assertEquals(movedRows + 2 * failedRows,
                    metric(cluster.baseUrl() + "/metrics", "nbce_row_replacements_total") - replacedBefore, 0.0);

            assertTrue(ClusterExactnessTest.waitForNoActiveRows(cluster, 10_000), "every row freed");
            for (WorkerNode worker : List.of(roomy, small)) {
                assertEquals(worker.engine().capacityKvTokens(), worker.engine().freeKvTokens(), "no KV tokens leaked");
                assertTrue(worker.engine().threadAlive());
                assertEquals(200, Http.get("http://127.0.0.1:" + worker.metricsPort() + "/health").statusCode());
                double oom = metric(worker.metricsUrl(), "nbce_forward_oom_total");
                assertEquals(worker.engine().outOfMemoryForwards(), oom, 0.0);
                assertTrue(oom > 0, worker.workerId() + " counted its out-of-memory forwards");
            }
            HttpResponse<String> ready = Http.get(cluster.baseUrl() + "/ready");
            assertEquals(200, ready.statusCode(), ready.body());
            assertTrue(ready.body().contains("\"" + roomy.workerId() + "\"") && ready.body().contains("\"" + small.workerId() + "\""),
                    ready.body());
            assertEquals(streamCase.get("generated_ids"),
                    ClusterExactnessTest.postGenerate(cluster.baseUrl(), ClusterExactnessTest.requestJson(streamCase))
                            .get("token_ids"), "a later request is exact");
        }
    }

    /** A worker whose forwards go through a {@link FaultyForward}, poisoned by nothing until the test says. */
    private static WorkerNode addFaultyWorker(TestCluster cluster, EngineLimits limits, AtomicReference<FaultyForward> forward)
            throws Exception {
        return cluster.addWorker(limits, (decoder, l, observer, name) -> {
            forward.set(new FaultyForward(decoder, -1, Integer.MAX_VALUE));
            return forward.get().engine(l, observer, name);
        });
    }

    /** The first token of the case's question row (every row of the case begins with it) that is not in {@code avoid}. */
    private static int poisonIn(JsonNode c, Set<Integer> avoid) {
        for (JsonNode id : c.get("row_input_ids").get(0)) {
            if (!avoid.contains(id.asInt())) {
                return id.asInt();
            }
        }
        throw new AssertionError("every token of " + c.get("question") + " is also in another request");
    }

    private static Set<Integer> tokens(JsonNode rows, JsonNode generated) {
        Set<Integer> ids = new HashSet<>();
        rows.forEach(row -> row.forEach(id -> ids.add(id.asInt())));
        generated.forEach(id -> ids.add(id.asInt()));
        return ids;
    }

    private static JsonNode last(List<JsonNode> frames) {
        return frames.get(frames.size() - 1);
    }

    /** The sum of a Prometheus metric's samples at {@code url}. */
    private static double metric(String url, String name) throws Exception {
        return PrometheusScrape.sum(PrometheusScrape.fetch(url), name);
    }
}
