package dev.nbce.gateway.service;

import dev.nbce.gateway.request.RequestMessage;
import dev.nbce.gateway.request.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where chat clients put a long document, and how the gateway takes it out of a conversation that does
 * not fit one window (docs/api.md, "Long conversations"): the longest system or user message content is the
 * document.
 * <ul>
 *   <li>A system message (retrieved text in the system prompt) leaves the conversation whole.</li>
 *   <li>A user message (a pasted document) keeps one paragraph as its text — the last, or the first when
 *       that one ends with ':' or '?' ("Summarise this:" before the document) — and the rest of it is the
 *       document. A message of one paragraph cannot be split, and the rule does not apply.</li>
 * </ul>
 * The document is then windowed like a request's {@code document}: every window goes into the first user
 * turn by {@code user_template}, and the last user turn stays the question.
 */
final class LongConversation {
    private static final Pattern PARAGRAPH_BREAK = Pattern.compile("\\n[ \\t]*\\n\\s*");

    /** The split conversation: the messages left, the document, and the index of the message it came from. */
    record Split(List<RequestMessage> messages, String document, int from) {}

    private LongConversation() {}

    /** @return the split, or null when no message can give a document */
    static Split split(List<RequestMessage> messages) {
        int longest = -1;
        for (int i = 0; i < messages.size(); i++) {
            RequestMessage m = messages.get(i);
            if (m.role() != Role.ASSISTANT
                    && (longest < 0 || m.text().length() > messages.get(longest).text().length())) {
                longest = i;
            }
        }
        if (longest < 0) {
            return null;
        }
        RequestMessage source = messages.get(longest);
        List<RequestMessage> rest = new ArrayList<>(messages);
        if (source.role() == Role.SYSTEM) {
            rest.remove(longest);
            return source.text().isBlank() ? null : new Split(rest, source.text(), longest);
        }
        String[] parts = questionAndDocument(source.text());
        if (parts == null) {
            return null;
        }
        rest.set(longest, source.withContent(parts[0]));
        return new Split(rest, parts[1], longest);
    }

    /** {question, document} of a pasted message, or null when it is one paragraph. */
    static String[] questionAndDocument(String text) {
        String body = text.strip();
        Matcher first = PARAGRAPH_BREAK.matcher(body);
        if (!first.find()) {
            return null;
        }
        String opening = body.substring(0, first.start()).strip();
        if (opening.endsWith(":") || opening.endsWith("?")) {
            return new String[] {opening, body.substring(first.end()).strip()};
        }
        int lastStart = -1;
        int lastEnd = -1;
        Matcher breaks = PARAGRAPH_BREAK.matcher(body);
        while (breaks.find()) {
            lastStart = breaks.start();
            lastEnd = breaks.end();
        }
        return new String[] {body.substring(lastEnd).strip(), body.substring(0, lastStart).strip()};
    }
}
