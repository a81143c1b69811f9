package dev.nbce.gateway.prompt;

/** A chat template is missing, does not parse, or refused the conversation ({@code raise_exception}). */
public class ChatTemplateException extends RuntimeException {

    public ChatTemplateException(String message) {
        super(message);
    }

    public ChatTemplateException(String message, Throwable cause) {
        super(message, cause);
    }
}
