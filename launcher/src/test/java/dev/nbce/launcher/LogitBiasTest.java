package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.error.InvalidRequestException;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.gateway.request.GenerationRequest;
import dev.nbce.gateway.service.GatewayLimits;
import dev.nbce.gateway.session.SessionListener;
import dev.nbce.launcher.local.LocalRuntime;
import dev.nbce.worker.model.DeviceSpec;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** OpenAI's logit_bias, added to every row's raw logits before its top-p (docs/structured-output.md#logit_bias). */
class LogitBiasTest {
    private static GenerationRequest biased(GenerationRequest r, Map<Integer, Double> bias) {
        return new GenerationRequest(r.contexts(), r.document(), r.question(), r.messages(), r.prompt(), r.userTemplate(),
                r.maxNewTokens(), r.fillWindow(), r.temperature(), r.topP(), r.topK(), r.seed(), r.stop(), r.nbce(), r.stream(),
                r.output(), r.windowTokens(), bias, null, null);
    }

    @Test
    void aBannedTokenNeverComesAndTheAnswerIsTheSameOnOneAndThreeEngines() throws Exception {
        JsonNode c = Fixtures.tinyLlamaReference().get("nbce").get(0);
        int[] reference = Fixtures.ints(c.get("generated_ids"));
        GenerationRequest request = biased(ReferenceGenerationTest.requestOf(c), Map.of(reference[0], -100.0));
        int[] ids = null;
        for (int engines : new int[] {1, 3}) {
            try (LocalRuntime runtime = new LocalRuntime(Fixtures.tinyLlama(), DeviceSpec.cpu(), engines, GatewayLimits.DEFAULT)) {
                int[] got = runtime.generate(request, SessionListener.NONE).tokenIds();
                if (ids == null) {
                    ids = got;
                    int banned = reference[0];
                    assertFalse(Arrays.stream(ids).anyMatch(id -> id == banned), "the banned token never comes: " + Arrays.toString(ids));
                } else {
                    assertArrayEquals(ids, got, "the same on one engine and three");
                }
                InvalidRequestException outside = assertThrows(InvalidRequestException.class, () -> runtime.generate(
                        biased(request, Map.of(1 << 20, 1.0)), SessionListener.NONE));
                assertEquals("logit_bias", outside.field(), outside.getMessage());
            }
        }
    }

    @Test
    void aBiasOfZeroChangesNoId() throws Exception {
        JsonNode c = Fixtures.tinyLlamaReference().get("nbce").get(2);
        try (LocalRuntime runtime = new LocalRuntime(Fixtures.tinyLlama(), DeviceSpec.cpu(), 1, GatewayLimits.DEFAULT)) {
            int[] ids = runtime.generate(biased(ReferenceGenerationTest.requestOf(c), Map.of(5, 0.0, 700, 0.0)),
                    SessionListener.NONE).tokenIds();
            assertArrayEquals(Fixtures.ints(c.get("generated_ids")), ids);
        }
    }
}
