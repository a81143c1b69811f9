package dev.nbce.gateway.prompt;

/**
 * Carries a {@link ChatTemplateException} out of Jinjava. Not an IllegalArgumentException itself, because
 * Jinjava reads those, thrown inside a method call, as "no such method" and drops the message.
 */
final class TemplateRefusal extends RuntimeException {

    private final ChatTemplateException refusal;

    TemplateRefusal(ChatTemplateException refusal) {
        super(refusal.getMessage(), null, false, false);
        this.refusal = refusal;
    }

    ChatTemplateException refusal() {
        return refusal;
    }
}
