package dev.nbce.gateway.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.nbce.gateway.request.RequestMessage;
import dev.nbce.gateway.request.Role;
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
        LongConversation.Split split = LongConversation.split(List.of(RequestMessage.of(Role.SYSTEM, retrieved),
                RequestMessage.of(Role.USER, "hi"), RequestMessage.of(Role.ASSISTANT, "x".repeat(900)),
                RequestMessage.of(Role.USER, "q?")));
        assertEquals(0, split.from());
        assertEquals(retrieved, split.document());
        assertEquals(List.of(RequestMessage.of(Role.USER, "hi"), RequestMessage.of(Role.ASSISTANT, "x".repeat(900)),
                RequestMessage.of(Role.USER, "q?")), split.messages(), "assistant turns are never the document");

        LongConversation.Split pasted = LongConversation.split(List.of(RequestMessage.of(Role.SYSTEM, "be brief"),
                RequestMessage.of(Role.USER, "long text\n\nmore text\n\nWho?")));
        assertEquals(1, pasted.from());
        assertEquals("long text\n\nmore text", pasted.document());
        assertEquals(RequestMessage.of(Role.USER, "Who?"), pasted.messages().get(1));
    }
}
