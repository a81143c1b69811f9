package dev.nbce.gateway.prompt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WindowerTest {

    private static final int MAX_NEW = 16;

    private static PromptModel demo;
    private static Windower windower;
    private static List<String> facts;
    private static String question;

    @BeforeAll
    static void load() throws IOException {
        demo = PromptModel.load(Fixtures.model("nbce-demo"));
        windower = demo.windower(null);
        JsonNode haystack = null;
        for (String line : Files.readAllLines(Fixtures.file("eval/haystack-dev.jsonl"))) {
            JsonNode c = Fixtures.JSON.readTree(line);
            if (c.get("n_windows").asInt() == 64) {
                haystack = c;
                break;
            }
        }
        assertTrue(haystack != null, "haystack-dev.jsonl has a 64-window case");
        facts = Fixtures.strings(haystack.get("contexts"));
        question = haystack.get("question").asText();
    }

    @AfterAll
    static void close() {
        if (demo != null) {
            demo.close();
        }
    }

    @Test
    void referenceContextsStayWholeAndTokenizeLikeHuggingFace() throws IOException {
        try (PromptModel tiny = PromptModel.load(Fixtures.model("tiny-llama"))) {
            for (JsonNode c : Fixtures.nbceCases("tiny-llama")) {
                List<String> contexts = Fixtures.strings(c.get("contexts"));
                PreparedPrompt prompt = tiny.prepare(c.get("question").asText(), contexts, null, null,
                        c.get("params").get("max_new_tokens").asInt());
                assertEquals(contexts, prompt.windows());
                assertEquals(contexts.size() + 1, prompt.rows());
                for (int r = 0; r < prompt.rows(); r++) {
                    int[] expected = Fixtures.ints(c.get("row_input_ids").get(r));
                    assertArrayEquals(expected, prompt.rowTokenIds().get(r));
                    assertEquals(expected.length, prompt.promptTokensPerRow()[r]);
                }
            }
        }
    }

    @Test
    void longDocumentIsPackedByParagraphsAndLosesNothing() {
        String document = String.join("\n\n", facts);
        PreparedPrompt prompt = windower.prepareDocument(question, document, MAX_NEW);
        assertEveryRowFits(prompt);
        assertTrue(prompt.windows().size() > 10, "a ~4,800-token document needs many 256-token rows");
        assertTrue(prompt.windows().size() < facts.size(), "several paragraphs share a window");
        assertOnlyWhitespaceLost(document, prompt.windows());
        for (String window : prompt.windows()) {
            for (String paragraph : window.split("\n\n")) {
                assertTrue(facts.contains(paragraph), "windows hold whole paragraphs: " + paragraph);
            }
        }
        for (int i = 0; i + 1 < prompt.windows().size(); i++) { // greedy: the next paragraph did not fit
            String next = prompt.windows().get(i + 1).split("\n\n")[0];
            assertFalse(fits(prompt.windows().get(i) + "\n\n" + next), "window " + i + " could hold more");
        }
    }

    @Test
    void paragraphlessTextIsPackedBySentences() {
        String document = String.join(" ", facts.subList(0, 12));
        PreparedPrompt prompt = windower.prepareDocument(question, document, MAX_NEW);
        assertEveryRowFits(prompt);
        assertTrue(prompt.windows().size() > 1);
        assertOnlyWhitespaceLost(document, prompt.windows());
        for (int i = 0; i + 1 < prompt.windows().size(); i++) {
            String window = prompt.windows().get(i);
            assertTrue(window.endsWith("."), "cut at a sentence end: " + window);
            String nextSentence = prompt.windows().get(i + 1).substring(0, prompt.windows().get(i + 1).indexOf('.') + 1);
            assertFalse(fits(window + " " + nextSentence), "window " + i + " could hold another sentence");
        }
    }

    @Test
    void oneGiantSentenceFallsBackToTokenCuts() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 700; i++) {
            text.append("word").append(i % 37).append(' ');
        }
        String document = text.toString().trim();
        PreparedPrompt prompt = windower.prepareDocument(question, document, MAX_NEW);
        assertEveryRowFits(prompt);
        assertTrue(prompt.windows().size() > 3);
        assertOnlyWhitespaceLost(document, prompt.windows());
        int limit = demo.maxPositions() - MAX_NEW;
        for (int r = 1; r < prompt.rows() - 1; r++) { // every window but the last is (nearly) full
            assertTrue(prompt.promptTokensPerRow()[r] >= limit - 3,
                    "row " + r + " has " + prompt.promptTokensPerRow()[r] + " of " + limit + " tokens");
        }
    }

    @Test
    void tokenCutsNeverSplitACharacter() {
        String document = "日本語😀abc€".repeat(300); // no whitespace at all, many multi-byte and 2-unit characters
        PreparedPrompt prompt = windower.prepareDocument(question, document, MAX_NEW);
        assertEveryRowFits(prompt);
        assertTrue(prompt.windows().size() > 3);
        assertEquals(document, String.join("", prompt.windows()), "no whitespace to drop, so nothing may differ");
        for (String window : prompt.windows()) {
            assertFalse(Character.isLowSurrogate(window.charAt(0)));
            assertFalse(Character.isHighSurrogate(window.charAt(window.length() - 1)));
        }
    }

    @Test
    void contextsAreWindowedSeparately() {
        String longOne = String.join("\n\n", facts.subList(0, 10));
        List<String> contexts = List.of(facts.get(20), longOne, facts.get(21));
        PreparedPrompt prompt = windower.prepare(question, contexts, MAX_NEW);
        assertEveryRowFits(prompt);
        List<String> windows = prompt.windows();
        assertEquals(facts.get(20), windows.get(0));
        assertEquals(facts.get(21), windows.get(windows.size() - 1));
        assertOnlyWhitespaceLost(longOne, windows.subList(1, windows.size() - 1));
    }

    @Test
    void questionThatCannotFitIsRejectedWithItsNumbers() {
        String longQuestion = "Which of these is it? ".repeat(60);
        int needed = demo.tokenizer().encode(demo.renderer(null).noContextRow(longQuestion)).length;
        assertTrue(needed + 64 > 256);
        PromptTooLongException e = assertThrows(PromptTooLongException.class,
                () -> windower.prepare(longQuestion, List.of("x"), 64));
        assertEquals("question needs " + needed + " tokens + max_new_tokens 64 > max_position_embeddings 256",
                e.getMessage());
    }

    @Test
    void questionThatLeavesNoRoomForContextIsRejected() {
        int row0 = demo.tokenizer().encode(demo.renderer(null).noContextRow(question)).length;
        int maxNew = demo.maxPositions() - row0;
        assertEquals(1, windower.prepare(question, List.of(), maxNew).rows(), "without context it fits");
        PromptTooLongException e = assertThrows(PromptTooLongException.class,
                () -> windower.prepare(question, List.of("Ana lives in Oslo."), maxNew));
        assertTrue(e.getMessage().startsWith("question leaves no room for context"), e.getMessage());
    }

    @Test
    void requestShapesAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> windower.prepare(question, List.of("a", " \n"), MAX_NEW));
        assertThrows(IllegalArgumentException.class, () -> windower.prepareDocument(question, "  ", MAX_NEW));
        assertThrows(IllegalArgumentException.class, () -> windower.prepare(question, List.of("a"), "doc", MAX_NEW));
        assertThrows(IllegalArgumentException.class, () -> windower.prepare(" ", List.of("a"), MAX_NEW));
        assertThrows(IllegalArgumentException.class, () -> windower.prepare(question, List.of("a"), 0));
        PreparedPrompt plain = windower.prepare(question, null, null, MAX_NEW);
        assertEquals(List.of(), plain.windows());
        assertEquals(1, plain.rows());
        PreparedPrompt shortDocument = windower.prepare(question, null, facts.get(0), MAX_NEW);
        assertEquals(List.of(facts.get(0)), shortDocument.windows());
    }

    private static boolean fits(String window) {
        return demo.tokenizer().count(demo.renderer(null).contextRow(question, window)) + MAX_NEW <= demo.maxPositions();
    }

    private static void assertEveryRowFits(PreparedPrompt prompt) {
        RowRenderer renderer = demo.renderer(null);
        List<String> rows = renderer.rows(question, prompt.windows());
        for (int r = 0; r < prompt.rows(); r++) {
            int[] ids = prompt.rowTokenIds().get(r);
            assertArrayEquals(demo.tokenizer().encode(rows.get(r)), ids, "row " + r + " ids are its rendered text");
            assertTrue(ids.length + MAX_NEW <= demo.maxPositions(), "row " + r + " has " + ids.length + " tokens");
        }
    }

    /** The windows appear in the text in order, separated only by whitespace, and cover it. */
    private static void assertOnlyWhitespaceLost(String text, List<String> windows) {
        int at = 0;
        List<String> gaps = new ArrayList<>();
        for (String window : windows) {
            int found = text.indexOf(window, at);
            assertTrue(found >= 0, "window not found in order: " + window);
            gaps.add(text.substring(at, found));
            at = found + window.length();
        }
        gaps.add(text.substring(at));
        for (String gap : gaps) {
            assertTrue(gap.isBlank(), "text lost between windows: '" + gap + "'");
        }
    }
}
