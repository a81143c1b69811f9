package dev.nbce.gateway.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.nbce.gateway.request.RequestMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

class LongConversationTest {
    @Test
    void aPastedDocumentLeavesItsLastParagraphAsTheQuestion() {
        assertArrayEquals(new String[] {"What pet?", "Doc one.\n\nDoc two."},
                LongConversation.questionAndDocument("Doc one.\n\nDoc two.\n \nWhat pet?\n"));
    }

    @Test
    void anInstructionBeforeTheDocumentIsTheQuestion() {
        assertArrayEquals(new String[] {"Summarise this:", "Doc one.\n\nDoc two."},
                LongConversation.questionAndDocument("Summarise this:\n\nDoc one.\n\nDoc two."));
        assertNull(LongConversation.questionAndDocument("one paragraph, no break"));
    }

    @Test
    void theLongestSystemOrUserContentIsTheDocument() {
        String retrieved = "retrieved ".repeat(50);
        LongConversation.Split split = LongConversation.split(List.of(RequestMessage.of("system", retrieved),
                RequestMessage.of("user", "hi"), RequestMessage.of("assistant", "x".repeat(900)),
                RequestMessage.of("user", "q?")));
        assertEquals(0, split.from());
        assertEquals(retrieved, split.document());
        assertEquals(List.of(RequestMessage.of("user", "hi"), RequestMessage.of("assistant", "x".repeat(900)),
                RequestMessage.of("user", "q?")), split.messages(), "assistant turns are never the document");

        LongConversation.Split pasted = LongConversation.split(List.of(RequestMessage.of("system", "be brief"),
                RequestMessage.of("user", "long text\n\nmore text\n\nWho?")));
        assertEquals(1, pasted.from());
        assertEquals("long text\n\nmore text", pasted.document());
        assertEquals(RequestMessage.of("user", "Who?"), pasted.messages().get(1));
    }
}
