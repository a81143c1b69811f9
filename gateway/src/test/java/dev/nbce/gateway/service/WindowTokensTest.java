package dev.nbce.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.error.InvalidRequestException;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.gateway.request.Json;
import dev.nbce.gateway.request.RequestParser;
import dev.nbce.gateway.session.GenerationPlan;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code window_tokens} decides how a document is split: every context row, prompt and answer budget
 * together, fits the requested window; absent, the server default (the model's length, capped at 4,096)
 * applies; more than max_position_embeddings is a clear 400.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WindowTokensTest {
    private ModelPromptPreparer demo;
    private String document;

    @BeforeAll
    void load() {
        demo = ModelPromptPreparer.load(Fixtures.model("nbce-demo"), "nbce-demo");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            text.append("Fact ").append(i).append(": the lamp of room ").append(i).append(" is green.\n\n");
        }
        document = text.toString();
    }

    @AfterAll
    void close() {
        demo.close();
    }

    private GenerationPlan plan(Integer windowTokens) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("question", "Which lamp is green?").put("document", document)
                .put("max_new_tokens", 8);
        if (windowTokens != null) {
            body.put("window_tokens", windowTokens);
        }
        return demo.prepare("req", RequestParser.parse(body));
    }

    @Test
    void smallerWindowsSplitTheDocumentIntoMoreRowsThatEachFit() {
        int maxPositions = demo.model().maxPositions();
        GenerationPlan byDefault = plan(null);
        GenerationPlan small = plan(96);
        assertEquals(Math.min(maxPositions, 4096), demo.model().windowTokens(0), "the default window");
        assertTrue(small.windowCount() > byDefault.windowCount(),
                small.windowCount() + " windows of 96 tokens vs " + byDefault.windowCount() + " of " + maxPositions);
        for (int row = 1; row < small.rowTokenIds().size(); row++) {
            assertTrue(small.rowTokenIds().get(row).length + 8 <= 96, "row " + row + " fits the requested window");
        }
        for (int row = 1; row < byDefault.rowTokenIds().size(); row++) {
            assertTrue(byDefault.rowTokenIds().get(row).length + 8 <= maxPositions);
        }
    }

    @Test
    void aWindowBeyondTheModelOrTooSmallIsABadRequest() {
        int maxPositions = demo.model().maxPositions();
        InvalidRequestException tooLong = assertThrows(InvalidRequestException.class, () -> plan(maxPositions + 1));
        assertTrue(tooLong.getMessage().contains("max_position_embeddings"), tooLong.getMessage());
        assertThrows(InvalidRequestException.class, () -> plan(8), "below 16 tokens is refused when parsed");
        InvalidRequestException noRoom = assertThrows(InvalidRequestException.class, () -> plan(24));
        assertTrue(noRoom.getMessage().contains("window_tokens 24"), noRoom.getMessage());
    }
}
