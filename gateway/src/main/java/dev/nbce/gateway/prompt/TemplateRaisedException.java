package dev.nbce.gateway.prompt;

/**
 * The template refused the conversation itself, with {@code raise_exception(message)}; {@link #templateMessage()}
 * is the template's own words, verbatim.
 */
public final class TemplateRaisedException extends ChatTemplateException {

    private final String templateMessage;

    TemplateRaisedException(String templateMessage) {
        super("chat template raised: " + templateMessage);
        this.templateMessage = templateMessage;
    }

    public String templateMessage() {
        return templateMessage;
    }
}
