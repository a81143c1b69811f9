package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.common.testing.Fixtures;
import dev.nbce.common.testing.StartsCluster;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** /metrics on the gateway and on a worker's own port carry the NBCE meters and Vert.x's own. */
@StartsCluster
class MetricsTest {
    @Test
    void gatewayAndWorkerExposeTheirMeters() throws Exception {
        try (TestCluster cluster = new TestCluster(Fixtures.tinyLlama(), "tiny-llama", 1, Map.of())) {
            ClusterExactnessTest.postGenerate(cluster.baseUrl(),
                    ClusterExactnessTest.requestJson(Fixtures.tinyLlamaReference().get("nbce").get(0)));
            String gateway = PrometheusScrape.fetch(cluster.baseUrl() + "/metrics");
            for (String name : List.of("nbce_time_to_first_token_seconds_bucket", "nbce_inter_token_latency_seconds_bucket",
                    "nbce_request_duration_seconds_count", "nbce_requests_active", "nbce_queue_depth",
                    "nbce_tokens_generated_total", "nbce_row_replacements_total", "nbce_step_bytes_count",
                    "nbce_requests_waiting", "nbce_connections_open",
                    "vertx_http_server_requests_total", "vertx_eventbus_")) {
                assertTrue(gateway.contains(name), "gateway metrics lack " + name);
            }
            assertEquals(12.0, PrometheusScrape.sum(gateway, "nbce_tokens_generated_total"), "one 12-token generation");
            assertEquals(12.0, PrometheusScrape.sum(gateway, "nbce_time_to_first_token_seconds_count")
                    + PrometheusScrape.sum(gateway, "nbce_inter_token_latency_seconds_count"), "one first token + 11 gaps");
            assertTrue(PrometheusScrape.sum(gateway, "nbce_step_bytes_sum") > 0, "event-bus bytes are counted");
            assertEquals(0.0, PrometheusScrape.sum(gateway, "nbce_requests_waiting"), "nothing waits once the request is done");
            assertTrue(PrometheusScrape.sum(gateway, "nbce_connections_open") >= 1, "the scrape's own connection is open");

            String workerUrl = "http://127.0.0.1:" + cluster.workers().get(0).metricsPort() + "/metrics";
            String worker = PrometheusScrape.fetch(workerUrl);
            for (String name : List.of("nbce_rows_active", "nbce_worker_step_seconds_bucket", "vertx_eventbus_",
                    "nbce_prefix_cache_hit_tokens_total", "nbce_prefix_cache_query_tokens_total", "nbce_prefix_cache_bytes",
                    "nbce_kv_cache_usage_perc")) {
                assertTrue(worker.contains(name), "worker metrics lack " + name);
            }
            assertTrue(PrometheusScrape.sum(worker, "nbce_worker_step_seconds_count") >= 12, "a forward per step");
            double looked = PrometheusScrape.sum(worker, "nbce_prefix_cache_query_tokens_total");
            assertTrue(looked > 0 && PrometheusScrape.sum(worker, "nbce_prefix_cache_bytes") > 0, "the rows were looked up and kept");

            // The same request again: its rows' prefixes are cached now.
            ClusterExactnessTest.postGenerate(cluster.baseUrl(),
                    ClusterExactnessTest.requestJson(Fixtures.tinyLlamaReference().get("nbce").get(0)));
            worker = PrometheusScrape.fetch(workerUrl);
            assertEquals(2 * looked, PrometheusScrape.sum(worker, "nbce_prefix_cache_query_tokens_total"), "same prompts looked up again");
            assertTrue(PrometheusScrape.sum(worker, "nbce_prefix_cache_hit_tokens_total") > 0.5 * looked, "most of them found");
            int capacity = cluster.workers().get(0).engine().capacityKvTokens();
            assertEquals(capacity, PrometheusScrape.sum(worker, "nbce_kv_cache_tokens"), "the KV budget in tokens");
            // The close that frees the rows may still be on its way when the response arrives.
            long until = System.nanoTime() + 10_000_000_000L;
            while (PrometheusScrape.sum(worker, "nbce_kv_cache_free_tokens") != capacity && System.nanoTime() < until) {
                Thread.sleep(100);
                worker = PrometheusScrape.fetch(workerUrl);
            }
            assertEquals(capacity, PrometheusScrape.sum(worker, "nbce_kv_cache_free_tokens"), "no row holds a reservation once the request is done");
            assertEquals(0.0, PrometheusScrape.sum(worker, "nbce_kv_cache_usage_perc"), "vLLM's kv_cache_usage_perc: none reserved");
            assertEquals(0, PrometheusScrape.sum(worker, "nbce_prefix_cache_evictions_total"), "nothing evicted within the default budget");
        }
    }
}
