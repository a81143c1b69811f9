package dev.nbce.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.step.NbceParams;
import dev.nbce.common.step.Pooling;
import dev.nbce.gateway.request.GenerationRequest;
import java.util.ArrayList;
import java.util.List;

/** The request that a case of a fixture model's reference.json describes (greedy, its NBCE parameters). */
final class ReferenceCase {
    private ReferenceCase() {}

    static GenerationRequest requestOf(JsonNode c) {
        JsonNode p = c.get("params");
        List<String> contexts = new ArrayList<>();
        c.get("contexts").forEach(x -> contexts.add(x.asText()));
        Pooling pooling = p.get("pooling").asText().equals("average") ? Pooling.AVERAGE : Pooling.MIN_ENTROPY;
        return new GenerationRequest(contexts, null, c.get("question").asText(), GenerationRequest.DEFAULT_USER_TEMPLATE,
                p.get("max_new_tokens").asInt(), 0.0, p.get("top_p").asDouble(), 0, null, List.of(),
                new NbceParams(p.get("beta").asDouble(), p.get("eta").asDouble(), pooling), false);
    }
}
