package dev.nbce.structured.vocab;

import java.nio.charset.StandardCharsets;

/** SentencePiece pieces: {@code ▁} is a space and {@code <0xAB>} is the single byte 0xAB (byte fallback). */
final class SentencePiece {
    private SentencePiece() {}

    static byte[] decode(String piece) {
        if (piece.length() == 6 && piece.startsWith("<0x") && piece.endsWith(">")) {
            try {
                return new byte[] {(byte) Integer.parseInt(piece.substring(3, 5), 16)};
            } catch (NumberFormatException notByte) {
                // an ordinary piece that happens to look similar
            }
        }
        return piece.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
    }
}
