package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.common.testing.StartsCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A request with a window selection (docs/nbce-modes.md) gives the same ids, the same kept windows and the same
 * drop step through the cluster with one worker and with three, and every row, kept or pruned, is free afterwards.
 */
@StartsCluster
class SelectionClusterTest {
    /** Each reference case with more than one window, as an entropy and as a saliency selection. */
    private static List<ObjectNode> requests() {
        List<ObjectNode> requests = new ArrayList<>();
        for (JsonNode c : Fixtures.tinyLlamaReference().get("nbce")) {
            if (c.get("contexts").size() < 2) {
                continue;
            }
            ObjectNode entropy = ClusterExactnessTest.requestJson(c);
            entropy.put("max_new_tokens", 12);
            ((ObjectNode) entropy.get("nbce")).putObject("selection").put("rule", "entropy").put("keep", 1).put("after_steps", 2);
            requests.add(entropy);
            ObjectNode saliency = ClusterExactnessTest.requestJson(c);
            ((ObjectNode) saliency.get("nbce")).putObject("selection").put("rule", "saliency").put("keep", 1);
            requests.add(saliency);
        }
        return requests;
    }

    private static List<JsonNode> run(int workers, List<ObjectNode> requests) throws Exception {
        List<JsonNode> results = new ArrayList<>();
        try (TestCluster cluster = new TestCluster(Fixtures.tinyLlama(), "tiny-llama", workers, Map.of())) {
            for (ObjectNode request : requests) {
                results.add(ClusterExactnessTest.postGenerate(cluster.baseUrl(), request));
            }
            assertTrue(ClusterExactnessTest.waitForNoActiveRows(cluster, 10_000), "kept and pruned rows are all free");
        }
        return results;
    }

    @Test
    void selectedRequestsAreTheSameOnOneAndThreeWorkers() throws Exception {
        List<ObjectNode> requests = requests();
        assertTrue(requests.size() >= 2, "the reference has cases with several windows");
        List<JsonNode> one = run(1, requests);
        List<JsonNode> three = run(3, requests);
        for (int i = 0; i < requests.size(); i++) {
            JsonNode selection = one.get(i).get("selection");
            String rule = requests.get(i).get("nbce").get("selection").get("rule").asText();
            assertEquals(rule, selection.get("rule").asText());
            if (rule.equals("saliency") || one.get(i).get("token_ids").size() > 2) {
                assertEquals(1, selection.get("kept_windows").size(), one.get(i).toString());
                assertEquals(rule.equals("saliency") ? 0 : 2, selection.get("dropped_at_step").asInt(),
                        "saliency drops before prefill, entropy after after_steps: " + selection);
            }
            assertEquals(one.get(i).get("token_ids"), three.get(i).get("token_ids"), "request " + i + " ids");
            assertEquals(one.get(i).get("selected_windows"), three.get(i).get("selected_windows"), "request " + i);
            assertEquals(selection, three.get(i).get("selection"), "request " + i + " selection");
        }
    }
}
