package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.request.GenerationRequest;
import dev.nbce.common.request.GenerationResult;
import dev.nbce.common.request.Json;
import dev.nbce.common.request.NbceParams;
import dev.nbce.common.request.Pooling;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.launcher.local.LocalRuntime;
import dev.nbce.gateway.service.GatewayLimits;
import dev.nbce.gateway.session.SessionListener;
import dev.nbce.worker.model.DeviceSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole algorithm in one process against Hugging Face's reference generations for tiny-llama:
 * token ids and chosen rows exactly, whether all rows run on one engine or are spread over three.
 */
public class ReferenceGenerationTest {
    static Stream<Arguments> cases() throws Exception {
        Path model = Fixtures.tinyLlama();
        JsonNode reference = Fixtures.tinyLlamaReference();
        List<Arguments> cases = new ArrayList<>();
        for (int engines : new int[] {1, 3}) {
            for (int i = 0; i < reference.get("nbce").size(); i++) {
                cases.add(Arguments.of(i, engines, reference.get("nbce").get(i)));
            }
        }
        return cases.stream();
    }

    /** The request a reference case describes. */
    public static GenerationRequest requestOf(JsonNode c) {
        JsonNode p = c.get("params");
        List<String> contexts = new ArrayList<>();
        c.get("contexts").forEach(x -> contexts.add(x.asText()));
        Pooling pooling = p.get("pooling").asText().equals("average") ? Pooling.AVERAGE : Pooling.MIN_ENTROPY;
        return new GenerationRequest(contexts, null, c.get("question").asText(), GenerationRequest.DEFAULT_USER_TEMPLATE,
                p.get("max_new_tokens").asInt(), 0.0, p.get("top_p").asDouble(), 0, null, List.of(),
                new NbceParams(p.get("beta").asDouble(), p.get("eta").asDouble(), pooling), false);
    }

    public static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    /** Reference rows are 1-based; windows are 0-based. */
    public static int[] expectedWindows(JsonNode c) {
        int[] rows = ints(c.get("selected_rows"));
        for (int i = 0; i < rows.length; i++) {
            rows[i] -= 1;
        }
        return rows;
    }

    @ParameterizedTest(name = "case {0} on {1} engine(s)")
    @MethodSource("cases")
    void reproducesReferenceGeneration(int index, int engines, JsonNode c) throws Exception {
        try (LocalRuntime runtime = new LocalRuntime(Fixtures.tinyLlama(), DeviceSpec.cpu(), engines, GatewayLimits.DEFAULT)) {
            GenerationResult result = runtime.generate(requestOf(c), SessionListener.NONE);
            assertArrayEquals(ints(c.get("generated_ids")), result.tokenIds(), "generated ids");
            assertArrayEquals(expectedWindows(c), result.selectedWindows(), "selected windows");
        }
    }
}
