package dev.nbce.structured;

/**
 * Where one generation stands in its constraint: immutable, so a row, a retry or a speculative branch can
 * keep its own. Text tokens only: end-of-sequence is the caller's to allow when {@link #canEnd()}.
 */
public interface ConstraintState {

    /** Sets bit {@code id} of {@code mask} (64 ids per word, {@code (vocab + 63) / 64} words) for every allowed text token; clears the rest. */
    void fillAllowed(long[] mask);

    /** The output so far is complete: end-of-sequence is allowed here. */
    boolean canEnd();

    /** Nothing but end-of-sequence may follow. */
    boolean mustEnd();

    /** The state after {@code tokenId}; {@link IllegalArgumentException} when the token is not allowed here. */
    ConstraintState advance(int tokenId);

    /** Whether {@code tokenId} is allowed here, without computing the whole mask. */
    boolean allows(int tokenId);
}
