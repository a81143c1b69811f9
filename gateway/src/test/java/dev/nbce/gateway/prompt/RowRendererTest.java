package dev.nbce.gateway.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.testing.Fixtures;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class RowRendererTest {

    @Test
    void reproducesEveryReferenceRowText() throws IOException {
        RowRenderer renderer = new RowRenderer(ChatTemplate.load(Fixtures.model("tiny-llama")));
        List<JsonNode> cases = Fixtures.nbceCases("tiny-llama");
        assertEquals(4, cases.size());
        for (JsonNode c : cases) {
            List<String> rows = renderer.rows(c.get("question").asText(), Fixtures.strings(c.get("contexts")));
            assertEquals(Fixtures.strings(c.get("row_texts")), rows);
        }
    }

    @Test
    void fillsPlaceholdersOnceAndKeepsOtherBraces() {
        RowRenderer renderer = new RowRenderer(ChatTemplate.of("{{ messages[0].content }}", null, null),
                "Context {n}: {context}\n{} Q: {question} {question}");
        assertEquals("Context {n}: has {question} inside\n{} Q: why {context}? why {context}?",
                renderer.userContent("why {context}?", "has {question} inside"));
        assertEquals("why?", renderer.noContextRow("why?"));
        assertEquals("Context {n}: W\n{} Q: Q Q", renderer.contextRow("Q", "W"));
    }

    @Test
    void defaultTemplatePutsTheQuestionFirst() {
        RowRenderer renderer = new RowRenderer(ChatTemplate.of("{{ messages[0].content }}", null, null), null);
        assertEquals(RowRenderer.DEFAULT_USER_TEMPLATE, renderer.userTemplate());
        assertEquals("Q\n\nW", renderer.contextRow("Q", "W"));
    }

    @Test
    void rejectsTemplatesWithoutBothPlaceholders() {
        ChatTemplate template = ChatTemplate.of("{{ messages[0].content }}", null, null);
        assertThrows(IllegalArgumentException.class, () -> new RowRenderer(template, "{question} only"));
        assertThrows(IllegalArgumentException.class, () -> new RowRenderer(template, "{context} only"));
    }
}
