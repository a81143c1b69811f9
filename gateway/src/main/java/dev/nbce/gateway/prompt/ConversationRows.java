package dev.nbce.gateway.prompt;

import dev.nbce.gateway.request.Role;
import java.util.ArrayList;
import java.util.List;

/**
 * The NBCE rows of one conversation: the system message and earlier turns as given, ending with the new
 * user turn, through the chat template with the generation prompt. Row 0 is the conversation unchanged;
 * a window's row has the window placed, by {@code user_template}, into the <em>first</em> user turn
 * (its content becomes {@code {question}}), so every row shares the same later turns. A single user turn
 * gives exactly the single-question rows. Made by {@link RowRenderer#conversation(List)} for one request;
 * its rows render in one {@link ChatTemplate.Scope}, so use it from one thread at a time.
 */
public final class ConversationRows {

    private final RowRenderer renderer;
    private final ChatTemplate.Scope template;
    private final List<ChatMessage> messages;
    private final int windowTurn;

    ConversationRows(RowRenderer renderer, ChatTemplate template, List<ChatMessage> messages) {
        if (messages == null || messages.isEmpty()) {
            throw new IllegalArgumentException("a conversation needs at least one message");
        }
        if (messages.get(messages.size() - 1).role() != Role.USER) {
            throw new IllegalArgumentException("a conversation must end with the new user turn, got role '"
                    + messages.get(messages.size() - 1).role().wireName() + "'");
        }
        int first = 0;
        while (messages.get(first).role() != Role.USER) {
            first++;
        }
        if (messages.get(first).hasParts()) {
            throw new ContentPartsRefusedException("the first user turn carries the context windows, so its content"
                    + " must be a string, not a list of parts");
        }
        this.renderer = renderer;
        this.template = template.scope();
        this.messages = List.copyOf(messages);
        this.windowTurn = first;
    }

    /** Row 0: the conversation with no context. */
    public String noContextRow() {
        return template.render(messages);
    }

    /** The row of one window. */
    public String contextRow(String window) {
        List<ChatMessage> withWindow = new ArrayList<>(messages);
        ChatMessage turn = messages.get(windowTurn);
        withWindow.set(windowTurn, new ChatMessage(turn.role(), renderer.userContent(turn.content(), window)));
        return template.render(withWindow);
    }

    /** All rows, row 0 first, then one per window in order. */
    public List<String> rows(List<String> windows) {
        List<String> rows = new ArrayList<>(windows.size() + 1);
        rows.add(noContextRow());
        for (String window : windows) {
            rows.add(contextRow(window));
        }
        return rows;
    }

    public List<ChatMessage> messages() {
        return messages;
    }
}
