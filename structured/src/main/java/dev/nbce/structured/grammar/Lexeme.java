package dev.nbce.structured.grammar;

/**
 * A terminal in progress (a string, a number, a key, a literal): an immutable state over bytes. Equal states
 * behave alike, which lets the mask cache reuse the walk of the vocabulary inside a terminal.
 */
public interface Lexeme {

    /** The state after byte {@code b}, or null when the terminal cannot take it. */
    Lexeme next(int b);

    /** The terminal may end here. */
    boolean accepting();

    /** Some byte continues the terminal (and can still reach its end). */
    boolean canContinue();

    /**
     * A state with the same tokens allowed inside the terminal (same future within it, possibly coarser
     * bookkeeping), used as the mask cache's key; null when not worth caching.
     */
    default Lexeme maskKey() {
        return this;
    }

    /**
     * Byte strings that, read from here, end the terminal where its mask key would let it end but this state does
     * not (an object key that would spell a declared name): the mask drops those ends.
     */
    default java.util.List<byte[]> refusedEndings() {
        return java.util.List.of();
    }
}
