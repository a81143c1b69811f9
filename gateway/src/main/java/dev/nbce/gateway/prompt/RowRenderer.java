package dev.nbce.gateway.prompt;

import java.util.List;

/**
 * The text of each NBCE row through the chat template. Row 0 carries the question alone; a window's row
 * carries {@code user_template} with {@code {question}} and {@code {context}} filled in. Other braces in
 * the template are literal, and placeholder-like text inside the question or a window is never
 * substituted again. A whole conversation (system message, earlier turns, new user turn) is rendered
 * the same way by {@link #conversation(List)}; a question is the conversation of one user turn.
 */
public final class RowRenderer {

    public static final String DEFAULT_USER_TEMPLATE = "{question}\n\n{context}";
    static final String QUESTION = "{question}";
    static final String CONTEXT = "{context}";

    private final ChatTemplate chatTemplate;
    private final String userTemplate;

    /** @param userTemplate must contain both {@code {question}} and {@code {context}}; null = default */
    public RowRenderer(ChatTemplate chatTemplate, String userTemplate) {
        if (chatTemplate == null) {
            throw new IllegalArgumentException("chatTemplate is required");
        }
        String template = userTemplate == null ? DEFAULT_USER_TEMPLATE : userTemplate;
        if (!template.contains(QUESTION) || !template.contains(CONTEXT)) {
            throw new IllegalArgumentException(
                    "user_template must contain both {question} and {context}, got: " + template);
        }
        this.chatTemplate = chatTemplate;
        this.userTemplate = template;
    }

    public RowRenderer(ChatTemplate chatTemplate) {
        this(chatTemplate, DEFAULT_USER_TEMPLATE);
    }

    /**
     * The rows of a conversation ending with the new user turn; windows go into its first user turn.
     *
     * @throws IllegalArgumentException if it is empty, does not end with a user turn, or the first user
     *     turn's content is a list of parts
     */
    public ConversationRows conversation(List<ChatMessage> messages) {
        return conversation(messages, null);
    }

    /**
     * The rows of a conversation with the tools a request offers the model.
     *
     * @param tools the template's {@code tools} (see {@link ChatTemplate#render(List, List, boolean)}); null: none
     */
    public ConversationRows conversation(List<ChatMessage> messages, List<Object> tools) {
        return new ConversationRows(this, chatTemplate, messages, tools);
    }

    /** The rows of one question: a conversation of one user turn. */
    public ConversationRows question(String question) {
        return conversation(List.of(ChatMessage.user(question)));
    }

    /** Row 0: the question with no context. */
    public String noContextRow(String question) {
        return question(question).noContextRow();
    }

    /** The row of one window. */
    public String contextRow(String question, String window) {
        return question(question).contextRow(window);
    }

    /** All rows, row 0 first, then one per window in order. */
    public List<String> rows(String question, List<String> windows) {
        return question(question).rows(windows);
    }

    /** {@code user_template} with its placeholders replaced in a single left-to-right pass. */
    public String userContent(String question, String window) {
        StringBuilder out = new StringBuilder(userTemplate.length() + question.length() + window.length());
        int i = 0;
        while (i < userTemplate.length()) {
            if (userTemplate.startsWith(QUESTION, i)) {
                out.append(question);
                i += QUESTION.length();
            } else if (userTemplate.startsWith(CONTEXT, i)) {
                out.append(window);
                i += CONTEXT.length();
            } else {
                out.append(userTemplate.charAt(i++));
            }
        }
        return out.toString();
    }

    public String userTemplate() {
        return userTemplate;
    }
}
