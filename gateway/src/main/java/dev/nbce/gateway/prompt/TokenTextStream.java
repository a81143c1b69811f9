package dev.nbce.gateway.prompt;

import java.util.Arrays;

/**
 * Turns generated ids into text deltas, one token at a time, for streaming.
 *
 * <p>A byte-level BPE token can hold part of a UTF-8 character, and sentencepiece-style decoders
 * change a token's text depending on what precedes it, so a token's text is not its own decode.
 * Each step decodes a short tail that starts one emitted chunk back (for context) and emits only
 * what it adds beyond that chunk; while the tail ends in U+FFFD (an unfinished character) nothing is
 * emitted. The concatenation of all deltas plus {@link #flush()} equals the decode of all ids.
 *
 * <p>One instance per generation; not thread-safe.
 */
public final class TokenTextStream {

    private static final char REPLACEMENT = '\uFFFD';

    private final ModelTokenizer tokenizer;
    private final boolean skipSpecialTokens;
    private int[] ids = new int[16];
    private int size;
    /** Start of the already-emitted chunk decoded again for context. */
    private int prefixOffset;
    /** End of what has been emitted. */
    private int readOffset;
    private final StringBuilder emitted = new StringBuilder();

    TokenTextStream(ModelTokenizer tokenizer, boolean skipSpecialTokens) {
        this.tokenizer = tokenizer;
        this.skipSpecialTokens = skipSpecialTokens;
    }

    /** Adds one generated id; returns the new text it completes, possibly empty. */
    public String push(int id) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = id;
        String prefixText = decode(prefixOffset, readOffset);
        String fullText = decode(prefixOffset, size);
        if (fullText.length() > prefixText.length()
                && fullText.charAt(fullText.length() - 1) != REPLACEMENT
                && fullText.startsWith(prefixText)) {
            prefixOffset = readOffset;
            readOffset = size;
            String delta = fullText.substring(prefixText.length());
            emitted.append(delta);
            return delta;
        }
        return "";
    }

    /** Whatever is still held back (an unfinished character at the end of generation, shown as U+FFFD). */
    public String flush() {
        // Decoding everything once is exact whatever the decoder; the tail trick only saves work per step.
        String all = decode(0, size);
        prefixOffset = size;
        readOffset = size;
        String done = emitted.toString();
        String rest = all.startsWith(done) ? all.substring(done.length()) : "";
        emitted.append(rest);
        return rest;
    }

    /** All ids pushed so far. */
    public int[] ids() {
        return Arrays.copyOf(ids, size);
    }

    private String decode(int from, int to) {
        return from == to ? "" : tokenizer.decode(Arrays.copyOfRange(ids, from, to), skipSpecialTokens);
    }
}
