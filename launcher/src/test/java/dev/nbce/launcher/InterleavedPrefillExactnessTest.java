package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.gateway.request.GenerationResult;
import dev.nbce.gateway.service.GatewayLimits;
import dev.nbce.gateway.session.SessionListener;
import dev.nbce.launcher.local.LocalRuntime;
import dev.nbce.worker.decoder.DecoderOptions;
import dev.nbce.worker.model.DeviceSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The reference generations stay exact when prompts are prefilled a few tokens at a time between
 * other requests' decode steps: all four tiny-llama cases at once on one engine, 4-token chunks.
 */
class InterleavedPrefillExactnessTest {
    @Test
    void concurrentRequestsWithTinyChunksGiveTheReferenceIds() throws Exception {
        List<JsonNode> cases = Fixtures.nbceCases("tiny-llama");
        try (LocalRuntime runtime = new LocalRuntime(Fixtures.tinyLlama(), DeviceSpec.cpu(),
                new DecoderOptions(DecoderOptions.Precision.AUTO, 4), 1, GatewayLimits.DEFAULT)) {
            List<CompletableFuture<GenerationResult>> results = new ArrayList<>();
            for (JsonNode c : cases) {
                results.add(runtime.submit(ReferenceGenerationTest.requestOf(c), SessionListener.NONE));
            }
            for (int i = 0; i < cases.size(); i++) {
                GenerationResult result = results.get(i).get(120, TimeUnit.SECONDS);
                assertArrayEquals(Fixtures.ints(cases.get(i).get("generated_ids")), result.tokenIds(),
                        "case " + i + " ids");
                assertArrayEquals(ReferenceGenerationTest.expectedWindows(cases.get(i)), result.selectedWindows(),
                        "case " + i + " windows");
            }
        }
    }
}
