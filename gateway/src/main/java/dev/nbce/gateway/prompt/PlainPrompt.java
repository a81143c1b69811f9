package dev.nbce.gateway.prompt;

import java.util.List;

/**
 * The prompt of a model without a chat template (a base model): the message contents joined by blank
 * lines after {@code bos_token}, which is what {@code tokenizer(text)} would feed it.
 */
final class PlainPrompt {

    private PlainPrompt() {}

    static String render(List<ChatMessage> messages, String bosToken) {
        StringBuilder out = new StringBuilder();
        if (bosToken != null) {
            out.append(bosToken);
        }
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage message = messages.get(i);
            if (message.hasParts()) {
                throw ContentParts.of(message.role(), message.parts()).usedAsText().refusal();
            }
            out.append(i == 0 ? "" : "\n\n").append(message.content());
        }
        return out.toString();
    }
}
