package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.gateway.request.Json;
import dev.nbce.common.testing.StartsCluster;
import dev.nbce.common.testing.StartsProcesses;
import dev.nbce.launcher.cluster.WorkerNode;
import dev.nbce.launcher.config.Settings;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Several questions on the same documents over one WebSocket, as the chat page asks them (its auth frame,
 * its generate messages, the conversation so far as {@code messages}), with the demo model on two workers:
 * the second question's rows restore most of their prompt from the workers' prefix caches (as their
 * {@code nbce_prefix_cache_hit_tokens_total} counts it), with no help from the client beyond what the page
 * sends anyway, and its ids equal a cache-off cluster's. A client that sends each question alone reuses only
 * the chat template's opening under the default {@code user_template}, and the windows under a
 * context-first one; measured here, in the same run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@StartsCluster
@StartsProcesses
class ChatConversationCacheTest {
    private static final String KEY = "chat-page-key";
    /** The chat page's example documents and question, and the browser test's follow-up. */
    private static final List<String> DOCUMENTS = List.of(
            "Bruno Kim lives in Oslo. The favorite color of Ana Berg is green. Mira Kaur works as an architect.",
            "The secret code of Adrian Fischer is 4821. Omar Diaz works as a pilot. Theo Park has a pet rabbit.");
    private static final String FIRST = "What is the secret code of Adrian Fischer?";
    private static final String SECOND = "And where does Bruno Kim live?";
    private static final String CONTEXT_FIRST = "{context}\n\n{question}";

    private TestCluster cluster;
    private CacheOffCluster cacheOff;

    @BeforeAll
    void startClusters() throws Exception {
        cluster = new TestCluster(EmbeddedModel.directory(Settings.ofProcess()), EmbeddedModel.NAME, 2, Map.of("NBCE_API_KEYS", KEY));
        cacheOff = new CacheOffCluster(EmbeddedModel.directory(Settings.ofProcess()), EmbeddedModel.NAME, Map.of());
    }

    @AfterAll
    void stopClusters() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {cacheOff, cluster}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void theChatPagesSecondQuestionRestoresItsRowsFromTheCache() throws Exception {
        try (ChatPageClient page = new ChatPageClient(cluster.baseUrl(), KEY)) {
            ChatPageClient.Turn first = page.ask(DOCUMENTS, FIRST);
            assertTrue(first.request().has("question") && !first.request().has("messages"), "a new conversation");
            assertTrue(first.result().get("text").asText().contains("4821"), "the demo model answers: " + first.result());
            // As a person reads the answer before asking again: the workers' digests reach the gateway.
            PrefixCacheWatch.awaitDigestsAt(cluster.gateway(), cluster.workers());
            double before = scrapedHitTokens();
            ChatPageClient.Turn second = page.ask(DOCUMENTS, SECOND);
            double restored = scrapedHitTokens() - before;

            assertFalse(second.request().has("question"), "the follow-up goes as messages");
            assertEquals(3, second.request().get("messages").size(), "question, answer, new question");
            assertExact(first);
            assertExact(second);
            int promptTokens = second.result().at("/usage/prompt_tokens").asInt();
            System.out.printf("chat page, second question: %d prompt tokens in %d rows, %.0f restored from the cache"
                            + " (%.1f %%)%n", promptTokens, second.result().at("/usage/prompt_tokens_per_row").size(),
                    restored, 100 * restored / promptTokens);
            assertTrue(restored >= 0.5 * promptTokens, "the second question's rows restore most of their prompt: "
                    + restored + " of " + promptTokens);
        }
    }

    @Test
    void aClientSendingEachQuestionAloneReusesTheWindowsOnlyUnderAContextFirstTemplate() throws Exception {
        double[] shares = new double[2];
        List<String> templates = List.of("{question}\n\n{context}", CONTEXT_FIRST);
        try (ChatPageClient client = new ChatPageClient(cluster.baseUrl(), KEY)) {
            for (int t = 0; t < templates.size(); t++) {
                ObjectNode first = ChatPageClient.newQuestion(DOCUMENTS, FIRST).put("user_template", templates.get(t));
                ObjectNode second = ChatPageClient.newQuestion(DOCUMENTS, SECOND).put("user_template", templates.get(t));
                assertExact(new ChatPageClient.Turn(first, client.send(first)));
                PrefixCacheWatch.awaitDigestsAt(cluster.gateway(), cluster.workers());
                double before = scrapedHitTokens();
                JsonNode result = client.send(second);
                double restored = scrapedHitTokens() - before;
                assertExact(new ChatPageClient.Turn(second, result));
                int promptTokens = result.at("/usage/prompt_tokens").asInt();
                shares[t] = restored / promptTokens;
                System.out.printf("question alone, user_template %s: second question %d prompt tokens, %.0f restored"
                        + " (%.1f %%)%n", Json.MAPPER.writeValueAsString(templates.get(t)), promptTokens, restored,
                        100 * shares[t]);
            }
        }
        assertTrue(shares[1] >= 0.5, "under a context-first template the windows are reused: " + shares[1]);
        assertTrue(shares[0] < shares[1], "the question before the window leaves little to reuse: " + shares[0]);
    }

    /** The turn's ids equal those the same request gets from the cluster without a prefix cache. */
    private void assertExact(ChatPageClient.Turn turn) throws Exception {
        JsonNode expected = ClusterExactnessTest.postGenerate(cacheOff.baseUrl(), turn.request());
        assertEquals(expected.get("token_ids"), turn.result().get("token_ids"), "ids, cache on vs off: " + turn.request());
        assertEquals(expected.get("selected_windows"), turn.result().get("selected_windows"), "windows, cache on vs off");
        cacheOff.assertNothingRestored();
    }

    /** Sum over the workers of their nbce_prefix_cache_hit_tokens_total. */
    private double scrapedHitTokens() throws Exception {
        double sum = 0;
        for (WorkerNode w : cluster.workers()) {
            sum += PrefixCacheWatch.scrape("http://127.0.0.1:" + w.metricsPort() + "/metrics",
                    "nbce_prefix_cache_hit_tokens_total");
        }
        return sum;
    }
}
