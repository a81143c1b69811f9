package dev.nbce.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.nbce.gateway.request.GenerationRequest;
import dev.nbce.gateway.request.WindowSource;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** No max_tokens: the answer gets the room the longest row leaves, within the server's limit. */
class AnswerRoomTest {
    private static GenerationPlan plan(GenerationRequest request) {
        return new GenerationPlan("r", request, List.of(new int[100], new int[120]), List.of(new WindowSource(0, 0, 5)),
                Set.of(2), 512, -1, List.of("c"));
    }

    @Test
    void anOpenBudgetBecomesTheRoomLeft() {
        GenerationRequest open = GenerationRequest.of(List.of("c"), "q", 64).withMaxNewTokens(64, true);
        GenerationPlan roomy = plan(open).withAnswerRoom(1024);
        assertEquals(512 - 120, roomy.request().maxNewTokens());
        assertFalse(roomy.request().fillWindow());
        assertEquals(50, plan(open).withAnswerRoom(50).request().maxNewTokens(), "capped by the server's limit");
    }

    @Test
    void aGivenBudgetIsKept() {
        GenerationPlan given = plan(GenerationRequest.of(List.of("c"), "q", 7));
        assertSame(given, given.withAnswerRoom(1024));
    }
}
