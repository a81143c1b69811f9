package dev.nbce.gateway.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.common.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptModelTest {

    @Test
    void loadsTheDemoModel() throws IOException {
        try (PromptModel model = PromptModel.load(Fixtures.model("nbce-demo"))) {
            assertEquals(256, model.maxPositions());
            assertEquals(List.of(2), model.eosTokenIds());
            assertTrue(model.isEos(2));
            assertFalse(model.isEos(0));
            assertFalse(model.chatTemplate().isFallback());
            PreparedPrompt prompt = model.prepare("Where does Ana live?", List.of("Ana lives in Oslo."), null,
                    "Q: {question} C: {context}", 8);
            assertEquals("<|im_start|>user\nQ: Where does Ana live? C: Ana lives in Oslo.<|im_end|>\n<|im_start|>assistant\n",
                    model.tokenizer().decode(prompt.rowTokenIds().get(1), false));
        }
    }

    @Test
    void readsTheTransformers5ConfigOfTinyLlama() throws IOException {
        try (PromptModel model = PromptModel.load(Fixtures.model("tiny-llama"))) {
            assertEquals(512, model.maxPositions());
            assertEquals(List.of(2), model.eosTokenIds());
        }
    }

    @Test
    void mergesEosIdsFromEveryConfigFile(@TempDir Path dir) throws IOException {
        Path demo = Fixtures.model("nbce-demo");
        Files.copy(demo.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("config.json"),
                "{\"text_config\": {\"max_position_embeddings\": 128}, \"eos_token_id\": [2, 7]}");
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": 9}");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"<|endoftext|>\"}");
        try (PromptModel model = PromptModel.load(dir)) {
            assertEquals(128, model.maxPositions());
            assertEquals(List.of(9, 2, 7, 0), model.eosTokenIds());
            assertTrue(model.chatTemplate().isFallback());
        }
    }

    @Test
    void failsClearlyOnIncompleteDirectories(@TempDir Path dir) throws IOException {
        IOException noConfig = assertThrows(IOException.class, () -> PromptModel.load(dir));
        assertTrue(noConfig.getMessage().startsWith("no config.json"), noConfig.getMessage());
        Files.writeString(dir.resolve("config.json"), "{\"eos_token_id\": 2}");
        IOException noLength = assertThrows(IOException.class, () -> PromptModel.load(dir));
        assertTrue(noLength.getMessage().startsWith("no valid max_position_embeddings"), noLength.getMessage());
        Files.writeString(dir.resolve("config.json"), "{\"max_position_embeddings\": 64}");
        Files.copy(Fixtures.model("nbce-demo").resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"</s>\"}");
        IOException unknownEos = assertThrows(IOException.class, () -> PromptModel.load(dir));
        assertTrue(unknownEos.getMessage().contains("eos_token </s>"), unknownEos.getMessage());
    }
}
