package dev.nbce.gateway.prompt;

import java.util.ArrayList;
import java.util.List;

/**
 * The text of each NBCE row: one user turn through the chat template. Row 0 carries the question
 * alone; a window's row carries {@code user_template} with {@code {question}} and {@code {context}}
 * filled in. Other braces in the template are literal, and placeholder-like text inside the question
 * or a window is never substituted again.
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

    /** Row 0: the question with no context. */
    public String noContextRow(String question) {
        return chatTemplate.render(List.of(ChatMessage.user(question)));
    }

    /** The row of one window. */
    public String contextRow(String question, String window) {
        return chatTemplate.render(List.of(ChatMessage.user(userContent(question, window))));
    }

    /** All rows, row 0 first, then one per window in order. */
    public List<String> rows(String question, List<String> windows) {
        List<String> rows = new ArrayList<>(windows.size() + 1);
        rows.add(noContextRow(question));
        for (String window : windows) {
            rows.add(contextRow(question, window));
        }
        return rows;
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
