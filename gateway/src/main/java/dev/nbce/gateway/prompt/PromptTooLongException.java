package dev.nbce.gateway.prompt;

/** The question (with the answer budget) cannot fit the model's context: a client error, not a server one. */
public class PromptTooLongException extends IllegalArgumentException {

    public PromptTooLongException(String message) {
        super(message);
    }
}
