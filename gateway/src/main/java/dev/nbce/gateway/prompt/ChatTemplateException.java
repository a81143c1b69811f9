package dev.nbce.gateway.prompt;

/**
 * A chat template is missing, does not parse, or refused the conversation. At request time it is the
 * client's conversation that the template cannot render (the template itself was tried when loaded), so
 * it is an {@link IllegalArgumentException}: the API answers 400, never 500.
 */
public class ChatTemplateException extends IllegalArgumentException {

    public ChatTemplateException(String message) {
        super(message);
    }

    public ChatTemplateException(String message, Throwable cause) {
        super(message, cause);
    }
}
