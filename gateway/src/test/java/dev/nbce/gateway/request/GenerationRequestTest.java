package dev.nbce.gateway.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nbce.common.error.InvalidRequestException;
import dev.nbce.common.step.NbceParams;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class GenerationRequestTest {
    private static GenerationRequest request(List<String> contexts, List<String> stop) {
        return new GenerationRequest(contexts, null, "q", null, 8, 0, 0.95, 0, null, stop, null, false);
    }

    @Test
    void nullsTakeDefaultsAndListsAreCopied() {
        List<String> contexts = new ArrayList<>(List.of("a"));
        GenerationRequest r = new GenerationRequest(contexts, null, "q", null, 8, 0, 0.95, 0, null, null, null, false);
        contexts.add("b");
        assertEquals(List.of("a"), r.contexts());
        assertEquals(List.of(), r.stop());
        assertEquals(GenerationRequest.DEFAULT_USER_TEMPLATE, r.userTemplate());
        assertEquals(NbceParams.DEFAULT, r.nbce());
    }

    @Test
    void nullListElementsAreInvalidRequestsNotNullPointers() {
        assertEquals("contexts", assertThrows(InvalidRequestException.class,
                () -> request(Arrays.asList("a", null), List.of())).field());
        assertEquals("stop", assertThrows(InvalidRequestException.class,
                () -> request(List.of(), Arrays.asList((String) null))).field());
    }

    @Test
    void ofBuildsAGreedyDefaultRequest() {
        GenerationRequest r = GenerationRequest.of(List.of("ctx"), "q", 12);
        assertEquals(12, r.maxNewTokens());
        assertEquals(0.0, r.temperature());
        assertEquals(NbceParams.DEFAULT, r.nbce());
    }
}
