package dev.nbce.gateway.session;

/** Turns generated ids into text deltas (byte-level BPE aware). One per generation. */
public interface TextStream {
    /** Text that token completes, possibly empty while a multi-byte character is incomplete. */
    String push(int tokenId);

    /** Whatever is still held back at the end. */
    String finish();
}
