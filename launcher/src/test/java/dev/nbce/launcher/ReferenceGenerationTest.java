package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.gateway.request.GenerationRequest;
import dev.nbce.gateway.request.GenerationResult;
import dev.nbce.gateway.request.Json;
import dev.nbce.gateway.service.GatewayLimits;
import dev.nbce.gateway.session.SessionListener;
import dev.nbce.launcher.local.LocalRuntime;
import dev.nbce.worker.model.DeviceSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole algorithm in one process against the reference generations of every fixture model
 * (tiny-llama, and the family fixtures tiny-llama3, tiny-qwen3, tiny-mistral): token ids and chosen
 * rows exactly, whether all rows run on one engine or are spread over three (tiny-llama).
 */
public class ReferenceGenerationTest {
    static Stream<Arguments> cases() throws Exception {
        List<Arguments> cases = new ArrayList<>();
        for (String model : List.of("tiny-llama", "tiny-llama3", "tiny-qwen3", "tiny-mistral")) {
            List<JsonNode> nbce = Fixtures.nbceCases(model);
            for (int engines : model.equals("tiny-llama") ? new int[] {1, 3} : new int[] {1}) {
                for (int i = 0; i < nbce.size(); i++) {
                    cases.add(Arguments.of(model, i, engines, nbce.get(i)));
                }
            }
        }
        return cases.stream();
    }

    /** The request a reference case describes. */
    public static GenerationRequest requestOf(JsonNode c) {
        return ReferenceCase.requestOf(c);
    }

    /** Reference rows are 1-based; windows are 0-based. */
    public static int[] expectedWindows(JsonNode c) {
        int[] rows = Fixtures.ints(c.get("selected_rows"));
        for (int i = 0; i < rows.length; i++) {
            rows[i] -= 1;
        }
        return rows;
    }

    @ParameterizedTest(name = "{0} case {1} on {2} engine(s)")
    @MethodSource("cases")
    void reproducesReferenceGeneration(String model, int index, int engines, JsonNode c) throws Exception {
        try (LocalRuntime runtime = new LocalRuntime(Fixtures.model(model), DeviceSpec.cpu(), engines, GatewayLimits.DEFAULT)) {
            GenerationResult result = runtime.generate(requestOf(c), SessionListener.NONE);
            assertArrayEquals(Fixtures.ints(c.get("generated_ids")), result.tokenIds(), "generated ids");
            assertArrayEquals(expectedWindows(c), result.selectedWindows(), "selected windows");
        }
    }
}
