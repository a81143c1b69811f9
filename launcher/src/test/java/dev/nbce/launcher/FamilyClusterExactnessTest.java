package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.common.testing.StartsCluster;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The model families through the cluster: each family fixture's four reference cases give exactly their
 * ids and windows over HTTP with the rows spread over two workers (Llama 3 rope scaling, Qwen3 q/k norms,
 * Mistral's sliding window all run on the workers; the gateway only combines).
 */
@StartsCluster
class FamilyClusterExactnessTest {
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tiny-llama3", "tiny-qwen3", "tiny-mistral"})
    void familyReproducesItsReferenceAcrossTwoWorkers(String model) throws Exception {
        try (TestCluster cluster = new TestCluster(Fixtures.model(model), model, 2, Map.of())) {
            for (JsonNode c : Fixtures.nbceCases(model)) {
                JsonNode result = ClusterExactnessTest.postGenerate(cluster.baseUrl(), ClusterExactnessTest.requestJson(c));
                assertArrayEquals(Fixtures.ints(c.get("generated_ids")),
                        Fixtures.ints(result.get("token_ids")), model + " ids");
                assertArrayEquals(ReferenceGenerationTest.expectedWindows(c),
                        Fixtures.ints(result.get("selected_windows")), model + " windows");
            }
        }
    }
}
