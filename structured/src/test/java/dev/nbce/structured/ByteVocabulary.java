package dev.nbce.structured;

import dev.nbce.structured.vocab.TokenBytes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Test vocabularies: every single byte is a token, plus chosen multi-byte pieces. */
final class ByteVocabulary {
    private ByteVocabulary() {}

    /** Ids 0..255 are the bytes; then {@code pieces} in order; then one special token (EOS). */
    static TokenBytes withPieces(String... pieces) {
        List<byte[]> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            tokens.add(new byte[] {(byte) b});
        }
        for (String p : pieces) {
            tokens.add(p.getBytes(StandardCharsets.UTF_8));
        }
        tokens.add(null);
        return TokenBytes.of(tokens);
    }

    /** The byte tokens of {@code text}. */
    static int[] bytes(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            ids[i] = b[i] & 0xFF;
        }
        return ids;
    }
}
