package dev.nbce.gateway.prompt;

import dev.nbce.gateway.request.Role;
import java.util.ArrayList;
import java.util.List;

/**
 * The NBCE rows of one conversation: the system message and earlier turns as given, ending with the new
 * user turn, through the chat template with the generation prompt. Row 0 is the conversation unchanged;
 * a window's row has the window placed, by {@code user_template}, into the <em>first</em> user turn
 * (its content becomes {@code {question}}), so every row shares the same later turns. A single user turn
 * gives exactly the single-question rows. A conversation may also end with a tool's result (the model answers
 * it); the tools a request offers go to every row's template ({@code tools}). Made by
 * {@link RowRenderer#conversation(List, List)} for one request;
 * its rows render in one {@link ChatTemplate.Scope}, so use it from one thread at a time.
 */
public final class ConversationRows {

    private final RowRenderer renderer;
    private final ChatTemplate.Scope template;
    private final List<ChatMessage> messages;
    private final List<Object> tools;
    private final int windowTurn;

    ConversationRows(RowRenderer renderer, ChatTemplate template, List<ChatMessage> messages, List<Object> tools) {
        if (messages == null || messages.isEmpty()) {
            throw new IllegalArgumentException("a conversation needs at least one message");
        }
        Role last = messages.get(messages.size() - 1).role();
        if (last != Role.USER && last != Role.TOOL) {
            throw new IllegalArgumentException("a conversation must end with the new user turn, got role '"
                    + last.wireName() + "'");
        }
        int first = 0;
        while (first < messages.size() && messages.get(first).role() != Role.USER) {
            first++;
        }
        if (first == messages.size()) {
            throw new IllegalArgumentException("a conversation needs a user turn");
        }
        if (messages.get(first).hasParts()) {
            throw new ContentPartsRefusedException("the first user turn carries the context windows, so its content"
                    + " must be a string, not a list of parts");
        }
        this.renderer = renderer;
        this.template = template.scope();
        this.messages = List.copyOf(messages);
        this.tools = tools == null ? null : List.copyOf(tools);
        this.windowTurn = first;
    }

    /** Row 0: the conversation with no context. */
    public String noContextRow() {
        return template.render(messages, tools, true);
    }

    /** The row of one window. */
    public String contextRow(String window) {
        List<ChatMessage> withWindow = new ArrayList<>(messages);
        ChatMessage turn = messages.get(windowTurn);
        withWindow.set(windowTurn, new ChatMessage(turn.role(), renderer.userContent(turn.content(), window)));
        return template.render(withWindow, tools, true);
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
