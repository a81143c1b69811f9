package dev.nbce.gateway.request;

/** Why a generation ended (docs/design.md: NBCE step 8, or the client's cancel). */
public enum FinishReason {
    /** The model produced one of its end-of-sequence ids. */
    EOS("eos"),
    /** A stop string appeared; it is not part of the text. */
    STOP("stop"),
    /** max_new_tokens, or the model's maximum length, was reached. */
    LENGTH("length"),
    /** The client cancelled or went away. */
    CANCELLED("cancelled");

    private final String wireName;

    FinishReason(String wireName) {
        this.wireName = wireName;
    }

    /** The reason as JSON writes it, e.g. "eos". */
    public String wireName() {
        return wireName;
    }
}
