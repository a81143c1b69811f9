package dev.nbce.gateway.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.gateway.request.WindowSource;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every window says exactly where it came from: its context and the character range there. */
class WindowSourcesTest {
    private static final int MAX_NEW = 16;
    private static PromptModel demo;
    private static List<String> facts;
    private static String question;

    @BeforeAll
    static void load() throws IOException {
        demo = PromptModel.load(Fixtures.model("nbce-demo"));
        for (String line : Files.readAllLines(Fixtures.file("eval/haystack-dev.jsonl"))) {
            JsonNode c = Fixtures.JSON.readTree(line);
            if (c.get("n_windows").asInt() == 64) {
                facts = Fixtures.strings(c.get("contexts"));
                question = c.get("question").asText();
                break;
            }
        }
        assertTrue(facts != null, "haystack-dev.jsonl has a 64-window case");
    }

    @AfterAll
    static void close() {
        demo.close();
    }

    /** Each source's range of its context is the window's text, and windows follow their contexts in order. */
    private static void assertSourcesAreExact(List<String> contexts, PreparedPrompt prompt) {
        List<WindowSource> sources = prompt.windowSources();
        assertEquals(prompt.windows().size(), sources.size());
        int lastContext = 0;
        int lastEnd = 0;
        for (int w = 0; w < sources.size(); w++) {
            WindowSource s = sources.get(w);
            assertEquals(prompt.windows().get(w), contexts.get(s.context()).substring(s.start(), s.end()), "window " + w);
            if (s.context() == lastContext) {
                assertTrue(s.start() >= lastEnd, "window " + w + " starts after the previous one ends");
            } else {
                assertEquals(lastContext + 1, s.context(), "no context is skipped");
            }
            lastContext = s.context();
            lastEnd = s.end();
        }
        assertEquals(contexts.size() - 1, lastContext, "the last context has windows");
    }

    @Test
    void contextsThatFitAreWholeWindowsOfTheirOwn() {
        List<String> contexts = facts.subList(0, 5);
        PreparedPrompt prompt = demo.prepare(question, contexts, null, null, MAX_NEW);
        assertSourcesAreExact(contexts, prompt);
        for (int i = 0; i < contexts.size(); i++) {
            assertEquals(new WindowSource(i, 0, contexts.get(i).length()), prompt.windowSources().get(i));
        }
    }

    @Test
    void aLongDocumentBecomesRangesOfContextZero() {
        String document = "  " + String.join("\n\n", facts) + "\n";
        PreparedPrompt prompt = demo.prepare(question, List.of(), document, null, MAX_NEW);
        assertTrue(prompt.windows().size() > 10, "a long document is split");
        assertSourcesAreExact(List.of(document), prompt);
        assertTrue(prompt.windowSources().get(0).start() == 2, "leading whitespace at a cut is not part of a window");
    }

    @Test
    void splitAndWholeContextsMixWithoutLosingTrack() {
        List<String> contexts = new ArrayList<>();
        contexts.add(facts.get(0));
        contexts.add(String.join(" ", facts.subList(1, 40))); // one paragraph: cut into sentences
        contexts.add(facts.get(40));
        contexts.add(String.join("\n\n", facts.subList(41, 64))); // paragraphs
        PreparedPrompt prompt = demo.prepare(question, contexts, null, null, MAX_NEW);
        assertTrue(prompt.windows().size() > contexts.size(), "the long contexts are split");
        assertSourcesAreExact(contexts, prompt);
        assertEquals(new WindowSource(0, 0, contexts.get(0).length()), prompt.windowSources().get(0));
    }
}
