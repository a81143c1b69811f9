package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.gateway.prompt.PromptModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The long-window prefix bench's workload: the demo model with more positions (its other files
 * untouched, gone on close), and windows of haystack documents that hold at most the tokens asked,
 * never a document twice.
 */
class LongWindowCasesTest {

    @Test
    void theModelCopyHasMorePositionsAndTheSameFilesAndIsDeletedOnClose() throws Exception {
        Path demo = Fixtures.model("nbce-demo");
        Path copy;
        try (RaisedPositionsModel model = RaisedPositionsModel.of(demo, 1280);
             PromptModel prompts = PromptModel.load(model.directory())) {
            copy = model.directory();
            assertEquals(1280, prompts.maxPositions());
            JsonNode config = Fixtures.readJson(copy.resolve("config.json"));
            assertEquals(Fixtures.readJson(demo.resolve("config.json")).get("hidden_size"), config.get("hidden_size"));
            assertEquals(-1, Files.mismatch(demo.resolve("tokenizer.json"), copy.resolve("tokenizer.json")));
        }
        assertFalse(Files.exists(copy));
    }

    @Test
    void windowsHoldAtMostTheTokensAskedAndNoDocumentTwice() throws Exception {
        List<EvalCommand.Case> source = EvalCommand.readCases(Fixtures.file("eval/haystack-dev.jsonl"));
        try (PromptModel prompts = PromptModel.load(Fixtures.model("nbce-demo"))) {
            List<EvalCommand.Case> cases = LongWindowCases.build(source, prompts.tokenizer(), 480, 4, 3);
            assertEquals(3, cases.size());
            Set<String> seen = new HashSet<>();
            for (int c = 0; c < cases.size(); c++) {
                assertEquals(source.get(c).question(), cases.get(c).question());
                assertEquals(4, cases.get(c).contexts().size());
                for (String window : cases.get(c).contexts()) {
                    int tokens = prompts.tokenizer().count(window);
                    assertTrue(tokens <= 480 && tokens > 400, "a window of " + tokens + " tokens");
                    for (String document : window.split("\n\n")) {
                        assertTrue(seen.add(document), "used twice: " + document);
                    }
                }
            }
            assertThrows(CliArgs.UsageException.class,
                    () -> LongWindowCases.build(source.subList(0, 2), prompts.tokenizer(), 480, 4, 3),
                    "two cases' documents do not fill 12 windows");
        }
    }
}
