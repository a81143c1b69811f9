package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.common.testing.StartsCluster;
import dev.nbce.gateway.request.GenerationResult;
import dev.nbce.gateway.request.Json;
import dev.nbce.gateway.service.GatewayLimits;
import dev.nbce.gateway.session.SessionListener;
import dev.nbce.gateway.speculation.Speculation;
import dev.nbce.launcher.local.LocalRuntime;
import dev.nbce.worker.model.DeviceSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Speculative decoding through a real cluster (docs/speculative-decoding.md): the demo model on three workers, drafts
 * and their reports crossing the event bus, answers to haystack questions whose answers the windows hold (secret
 * codes, which prompt lookup drafts from the chosen window). Every answer's ids and windows equal those of the
 * whole algorithm in one process with speculation off, and the gateway's metrics say drafts were accepted and
 * rejected on the way.
 */
@StartsCluster
public class ClusterSpeculationTest {
    @Test
    void draftsVerifiedAcrossWorkersKeepEveryAnswerExact() throws Exception {
        List<EvalCommand.Case> cases = EvalCommand.readCases(Fixtures.file("eval/haystack-dev.jsonl")).stream()
                .filter(c -> c.windows() >= 4 && c.windows() <= 16 && c.answer().chars().allMatch(Character::isDigit))
                .limit(8).toList();
        assertTrue(cases.size() >= 4, "haystack cases with codes: " + cases.size());
        Path demo = Fixtures.model("nbce-demo");
        try (LocalRuntime plain = new LocalRuntime(demo, DeviceSpec.cpu(), 1,
                GatewayLimits.DEFAULT.withSpeculation(Speculation.OFF));
             TestCluster cluster = new TestCluster(demo, "nbce-demo", 3,
                     Map.of("NBCE_DRAFT_TOKENS", "4", "NBCE_DRAFT_FORWARD_TOKENS", "1000"))) {
            for (EvalCommand.Case c : cases) {
                GenerationResult expected = plain.generate(EvalCommand.requestFor(c, "nbce_min_entropy"),
                        SessionListener.NONE);
                JsonNode result = ClusterExactnessTest.postGenerate(cluster.baseUrl(), requestJson(c));
                assertArrayEquals(expected.tokenIds(), Fixtures.ints(result.get("token_ids")), c.question());
                assertArrayEquals(expected.selectedWindows(), Fixtures.ints(result.get("selected_windows")), c.question());
            }
            String metrics = PrometheusScrape.fetch(cluster.baseUrl() + "/metrics");
            double drafted = PrometheusScrape.sum(metrics, "nbce_draft_tokens_total");
            double accepted = PrometheusScrape.sum(metrics, "nbce_draft_accepted_tokens_total");
            assertTrue(accepted > 0, "no draft accepted: " + accepted + " of " + drafted);
            assertTrue(accepted < drafted, "no draft rejected: " + accepted + " of " + drafted);
        }
    }

    /** The JSON of {@link EvalCommand#requestFor} with nbce_min_entropy. */
    private static ObjectNode requestJson(EvalCommand.Case c) {
        ObjectNode request = Json.MAPPER.createObjectNode();
        request.set("contexts", Json.MAPPER.valueToTree(c.contexts()));
        request.put("question", c.question());
        request.put("max_new_tokens", 8);
        request.put("temperature", 0);
        request.put("top_p", 0.95);
        request.putObject("nbce").put("beta", 0.25).put("eta", 0.1).put("pooling", "min_entropy");
        return request;
    }
}
