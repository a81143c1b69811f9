package dev.nbce.gateway.prompt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.common.testing.Fixtures;
import dev.nbce.gateway.request.Role;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ConversationRowsTest {

    private static PromptModel demo;

    private static final List<ChatMessage> CHAT = List.of(
            ChatMessage.system("Answer from the documents."),
            ChatMessage.user("Who wrote the report?"),
            ChatMessage.assistant("Ana Berg."),
            ChatMessage.user("And when?"));

    @BeforeAll
    static void load() throws IOException {
        demo = PromptModel.load(Fixtures.model("nbce-demo"));
    }

    @AfterAll
    static void close() {
        demo.close();
    }

    private static String chatMl(String firstUser) {
        return "<|im_start|>system\nAnswer from the documents.<|im_end|>\n"
                + "<|im_start|>user\n" + firstUser + "<|im_end|>\n"
                + "<|im_start|>assistant\nAna Berg.<|im_end|>\n"
                + "<|im_start|>user\nAnd when?<|im_end|>\n"
                + "<|im_start|>assistant\n";
    }

    @Test
    void windowsGoIntoTheFirstUserTurnAndLaterTurnsStay() {
        ConversationRows rows = demo.renderer("Context: {context}\nQ: {question}").conversation(CHAT);
        assertEquals(List.of(chatMl("Who wrote the report?"),
                        chatMl("Context: W1\nQ: Who wrote the report?"),
                        chatMl("Context: W2\nQ: Who wrote the report?")),
                rows.rows(List.of("W1", "W2")));
        assertEquals(CHAT, rows.messages());
    }

    @Test
    void oneUserTurnIsTheQuestionRows() {
        RowRenderer renderer = demo.renderer(null);
        ConversationRows rows = renderer.conversation(List.of(ChatMessage.user("Q?")));
        assertEquals(renderer.rows("Q?", List.of("a", "b")), rows.rows(List.of("a", "b")));
        assertEquals("<|im_start|>user\nQ?\n\na<|im_end|>\n<|im_start|>assistant\n", rows.contextRow("a"));
    }

    @Test
    void windowerSizesAndTokenizesConversationRows() {
        PreparedPrompt prompt = demo.windower(null).prepare(CHAT, List.of("The report is from 2021."), null, 8);
        List<String> texts = demo.renderer(null).conversation(CHAT).rows(prompt.windows());
        assertEquals(2, prompt.rows());
        for (int r = 0; r < prompt.rows(); r++) {
            assertArrayEquals(demo.tokenizer().encode(texts.get(r)), prompt.rowTokenIds().get(r), "row " + r);
        }
        assertTrue(texts.get(1).contains("Who wrote the report?\n\nThe report is from 2021.<|im_end|>"), texts.get(1));
    }

    @Test
    void refusesConversationsThatCannotCarryWindows() {
        RowRenderer renderer = demo.renderer(null);
        assertThrows(IllegalArgumentException.class, () -> renderer.conversation(List.of()));
        assertThrows(IllegalArgumentException.class, () -> renderer.conversation(
                List.of(ChatMessage.user("Q"), ChatMessage.assistant("A"))));
        IllegalArgumentException parts = assertThrows(IllegalArgumentException.class, () -> renderer.conversation(
                List.of(ChatMessage.ofParts(Role.USER, List.of(ContentPart.text("Q"))))));
        assertTrue(parts.getMessage().contains("must be a string"), parts.getMessage());
    }
}
