package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.common.testing.StartsCluster;
import dev.nbce.common.testing.StartsProcesses;
import dev.nbce.common.testing.WsClient;
import dev.nbce.launcher.cluster.GatewayNode;
import dev.nbce.launcher.cluster.WorkerNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two gateways over three workers with the prefix cache on. A many-window request goes through gateway
 * A and its follow-up turn through gateway B, which knows what each worker caches only from the digests
 * the workers announce: every follow-up row lands on the worker that holds its first turn, so the workers
 * restore as many tokens as one worker holding every row would (most of the prompt), and the ids equal
 * the same follow-up's on a cluster with the cache off. Where every worker holds a request's shared
 * opening alike, its rows still spread over all of them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@StartsCluster
@StartsProcesses
class CacheAwarePlacementTest {
    private static final Path MODEL = Fixtures.tinyLlama();
    private static final String NAME = "tiny-llama";

    private TestCluster cluster;   // gateway A and three workers
    private GatewayNode gatewayB;
    private TestCluster oneWorker; // every row meets its own prefix: the most the cache can restore
    private CacheOffCluster cacheOff;

    @BeforeAll
    void startClusters() throws Exception {
        cluster = new TestCluster(MODEL, NAME, 3, Map.of());
        gatewayB = cluster.addGateway(Map.of());
        oneWorker = new TestCluster(MODEL, NAME, 1, Map.of());
        cacheOff = new CacheOffCluster(MODEL, NAME, Map.of());
    }

    @AfterAll
    void stopClusters() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {cacheOff, oneWorker, cluster}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void aFollowUpThroughTheOtherGatewayFindsItsPrefixesOnTheWorkersThatHoldThem() throws Exception {
        JsonNode cases = Fixtures.tinyLlamaReference().get("nbce");
        ObjectNode first = withContextsOf(ClusterExactnessTest.requestJson(cases.get(0)), cases.get(0), cases.get(1));
        JsonNode firstAnswer = ClusterExactnessTest.postGenerate(cluster.baseUrl(), first);
        assertEquals(ClusterExactnessTest.postGenerate(cacheOff.baseUrl(), first).get("token_ids"),
                firstAnswer.get("token_ids"), "first turn, cache on vs off");
        ObjectNode followUp = followUp(first, firstAnswer.get("text").asText(), "And why is that?");

        PrefixCacheWatch.awaitDigestsAt(gatewayB, cluster.workers());
        Map<String, Long> before = PrefixCacheWatch.hitTokens(cluster.workers());
        JsonNode got = ClusterExactnessTest.postGenerate(baseUrl(gatewayB), followUp);
        Map<String, Long> hits = PrefixCacheWatch.grownSince(before, cluster.workers());

        ClusterExactnessTest.postGenerate(oneWorker.baseUrl(), first);
        PrefixCacheWatch.awaitDigestsAt(oneWorker.gateway(), oneWorker.workers());
        Map<String, Long> alone = PrefixCacheWatch.hitTokens(oneWorker.workers());
        ClusterExactnessTest.postGenerate(oneWorker.baseUrl(), followUp);
        long most = PrefixCacheWatch.sum(PrefixCacheWatch.grownSince(alone, oneWorker.workers()));

        JsonNode expected = ClusterExactnessTest.postGenerate(cacheOff.baseUrl(), followUp);
        cacheOff.assertNothingRestored();
        assertEquals(expected.get("token_ids"), got.get("token_ids"), "follow-up ids, cache on (two gateways) vs off");
        assertEquals(expected.get("selected_windows"), got.get("selected_windows"), "follow-up windows");

        int rows = got.at("/usage/prompt_tokens_per_row").size();
        int promptTokens = got.at("/usage/prompt_tokens").asInt();
        long restored = PrefixCacheWatch.sum(hits);
        System.out.printf("follow-up through gateway B: %d rows, %d prompt tokens, %d restored from the caches"
                        + " (%.1f %%) per worker %s; one worker holding every row restores %d%n",
                rows, promptTokens, restored, 100.0 * restored / promptTokens, new TreeMap<>(hits), most);
        assertEquals(8, rows, "seven windows and the no-context row");
        assertEquals(most, restored, "each row restored on its worker all that one worker holding every row restores");
        assertTrue(restored > promptTokens / 2, "most of the follow-up's prompt came from the caches: " + restored
                + " of " + promptTokens);
        assertTrue(hits.values().stream().filter(h -> h > 0).count() >= 2, "the rows were on several workers: " + hits);
    }

    @Test
    void rowsSpreadOverTheWorkersWhenEachHoldsTheirSharedOpening() throws Exception {
        JsonNode cases = Fixtures.tinyLlamaReference().get("nbce");
        // Both requests ask the same long question, so every row of both opens with the same blocks: the user turn's
        // start and the question. The first request leaves them cached on every worker that takes one of its rows.
        String question = "Using only the documents, answer in a few words: " + cases.get(2).get("question").asText();
        ObjectNode opener = ClusterExactnessTest.requestJson(cases.get(2)).put("question", question);
        ClusterExactnessTest.postGenerate(cluster.baseUrl(), opener);
        ObjectNode tied = withContextsOf(ClusterExactnessTest.requestJson(cases.get(2)), cases.get(3), cases.get(0))
                .put("question", question).put("max_new_tokens", 200);
        PrefixCacheWatch.awaitDigestsAt(gatewayB, cluster.workers());
        Map<String, Long> before = PrefixCacheWatch.hitTokens(cluster.workers());

        Map<String, Integer> held = new TreeMap<>();
        try (WsClient ws = new WsClient(baseUrl(gatewayB))) {
            ws.send(WsClient.generateFrame("tied", tied));
            JsonNode token = ws.next(60);
            assertEquals("token", token.get("type").asText(), token.toString());
            // Every row is open from its placement until the request closes: the rows' homes, read mid-stream.
            for (WorkerNode w : cluster.workers()) {
                held.put(w.workerId(), w.engine().activeRows());
            }
            ws.send("{\"type\":\"cancel\",\"id\":\"tied\"}");
            List<JsonNode> frames = ws.until("tied", 60);
            assertEquals("done", frames.get(frames.size() - 1).get("type").asText());
        }
        Map<String, Long> hits = PrefixCacheWatch.grownSince(before, cluster.workers());
        System.out.printf("8 rows whose opening every worker caches: rows per worker %s, restored per worker %s%n",
                held, new TreeMap<>(hits));
        assertEquals(8, held.values().stream().mapToInt(Integer::intValue).sum(), "all 8 rows open mid-stream: " + held);
        int block = cluster.workers().get(0).engine().prefixCache().options().blockTokens();
        for (WorkerNode w : cluster.workers()) {
            assertTrue(hits.get(w.workerId()) >= (long) block * held.get(w.workerId()), w.workerId()
                    + " restored at least a block for each of its rows (every worker held the opening): " + hits);
        }
        int fewest = held.values().stream().mapToInt(Integer::intValue).min().orElseThrow();
        int most = held.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
        assertTrue(most - fewest <= 1, "the rows spread evenly, not onto one worker: " + held);
        assertTrue(ClusterExactnessTest.waitForNoActiveRows(cluster, 10_000), "the cancelled request's rows are freed");
    }

    /** The request with the contexts of the given cases, in order (many windows). */
    private static ObjectNode withContextsOf(ObjectNode request, JsonNode... cases) {
        ArrayNode contexts = request.putArray("contexts");
        for (JsonNode c : cases) {
            c.get("contexts").forEach(contexts::add);
        }
        return request;
    }

    /** The next turn as a chat client sends it: the same contexts, the conversation so far and a new question. */
    static ObjectNode followUp(ObjectNode first, String answer, String question) {
        ObjectNode next = first.deepCopy();
        String asked = next.remove("question").asText();
        ArrayNode messages = next.putArray("messages");
        messages.addObject().put("role", "user").put("content", asked);
        messages.addObject().put("role", "assistant").put("content", answer);
        messages.addObject().put("role", "user").put("content", question);
        return next;
    }

    private static String baseUrl(GatewayNode gateway) {
        return "http://127.0.0.1:" + gateway.port();
    }
}
