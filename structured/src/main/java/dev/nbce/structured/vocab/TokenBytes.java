package dev.nbce.structured.vocab;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The bytes each token id stands for in generated text, which is what a constraint matches: byte-level
 * BPE pieces (Llama 3, Qwen) through GPT-2's byte-to-character table, SentencePiece pieces (Gemma, Llama 2)
 * with {@code ▁} as a space and {@code <0xAB>} byte-fallback pieces as that one byte, added tokens as
 * their text. Special tokens (EOS, chat markers) have no bytes: a constraint never allows them as text.
 */
public final class TokenBytes {

    private final byte[][] bytes;
    private final String fingerprint;
    private final long[] endsMidCharacter;
    private final boolean spellsEveryByte;

    private TokenBytes(byte[][] bytes) {
        this.bytes = bytes;
        this.fingerprint = digest(bytes);
        this.endsMidCharacter = new long[(bytes.length + 63) >>> 6];
        boolean[] single = new boolean[256];
        for (int id = 0; id < bytes.length; id++) {
            byte[] b = bytes[id];
            if (b == null || b.length == 0) {
                continue;
            }
            if (b.length == 1) {
                single[b[0] & 0xFF] = true;
            }
            if (endsInsideCharacter(b)) {
                endsMidCharacter[id >>> 6] |= 1L << id;
            }
        }
        boolean every = true;
        for (boolean s : single) {
            every &= s;
        }
        this.spellsEveryByte = every;
    }

    /** The last UTF-8 sequence of {@code b} is cut short (a lead byte without all its continuation bytes). */
    private static boolean endsInsideCharacter(byte[] b) {
        for (int back = 1; back <= Math.min(4, b.length); back++) {
            int c = b[b.length - back] & 0xFF;
            if ((c & 0xC0) == 0x80) {
                continue; // a continuation byte: look further back for its lead
            }
            int need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
            return need > back;
        }
        return false;
    }

    /**
     * Every byte value is a token of its own: then any byte sequence can be spelled, and a token may stop inside a
     * character because the next token can always finish it. A vocabulary without that (a small demo one) must
     * keep to whole characters, or an answer could reach a state no token continues.
     */
    public boolean spellsEveryByte() {
        return spellsEveryByte;
    }

    /** Whether token {@code id}'s bytes end inside a UTF-8 character. */
    public boolean endsMidCharacter(int id) {
        return (endsMidCharacter[id >>> 6] & (1L << id)) != 0;
    }

    /** Clears, in {@code mask}, the tokens that end inside a character. */
    public void clearMidCharacter(long[] mask) {
        for (int i = 0; i < endsMidCharacter.length; i++) {
            mask[i] &= ~endsMidCharacter[i];
        }
    }

    /** Token {@code i}'s bytes are {@code pieces.get(i)}; null marks a special token. */
    public static TokenBytes of(List<byte[]> pieces) {
        return new TokenBytes(pieces.stream().map(b -> b == null ? null : b.clone()).toArray(byte[][]::new));
    }

    /** Reads {@code model.vocab}, {@code added_tokens} and the decoder's kind from a {@code tokenizer.json}. */
    public static TokenBytes load(Path tokenizerJson) throws IOException {
        return TokenizerJsonReader.read(tokenizerJson);
    }

    static TokenBytes fromArray(byte[][] bytes) {
        return new TokenBytes(bytes);
    }

    public int size() {
        return bytes.length;
    }

    /** The token's bytes (not copied: do not modify), or null for a special token or an unused id. */
    public byte[] bytes(int id) {
        return bytes[id];
    }

    public boolean isText(int id) {
        return id >= 0 && id < bytes.length && bytes[id] != null && bytes[id].length > 0;
    }

    /** Identifies the vocabulary in caches: equal pieces give an equal fingerprint. */
    public String fingerprint() {
        return fingerprint;
    }

    private static String digest(byte[][] bytes) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (byte[] b : bytes) {
                if (b == null) {
                    sha.update((byte) 0xFF);
                } else {
                    sha.update((byte) b.length);
                    sha.update(b);
                }
            }
            return HexFormat.of().formatHex(Arrays.copyOf(sha.digest(), 12));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Streaming reader: the merges are skipped unparsed (a real tokenizer.json is tens of MB). */
    private static final class TokenizerJsonReader {
        private static final JsonFactory JSON = new JsonFactory();

        static TokenBytes read(Path file) throws IOException {
            List<String> pieces = new ArrayList<>();
            List<Object[]> added = new ArrayList<>(); // {id, content, special}
            boolean byteLevel = false;
            try (JsonParser in = JSON.createParser(file.toFile())) {
                expect(in.nextToken() == JsonToken.START_OBJECT, file);
                while (in.nextToken() == JsonToken.FIELD_NAME) {
                    String field = in.currentName();
                    JsonToken value = in.nextToken();
                    if (field.equals("model") && value == JsonToken.START_OBJECT) {
                        readModel(in, pieces);
                    } else if (field.equals("added_tokens") && value == JsonToken.START_ARRAY) {
                        readAdded(in, added);
                    } else if (field.equals("decoder") && value == JsonToken.START_OBJECT) {
                        byteLevel = containsByteLevel(in);
                    } else {
                        in.skipChildren();
                    }
                }
            }
            int size = pieces.size();
            for (Object[] a : added) {
                size = Math.max(size, (Integer) a[0] + 1);
            }
            byte[][] bytes = new byte[size][];
            for (int id = 0; id < pieces.size(); id++) {
                String piece = pieces.get(id);
                bytes[id] = piece == null ? null : byteLevel ? ByteLevelAlphabet.decode(piece) : SentencePiece.decode(piece);
            }
            for (Object[] a : added) {
                int id = (Integer) a[0];
                bytes[id] = (Boolean) a[2] ? null : ((String) a[1]).getBytes(StandardCharsets.UTF_8);
            }
            return fromArray(bytes);
        }

        private static void readModel(JsonParser in, List<String> pieces) throws IOException {
            while (in.nextToken() == JsonToken.FIELD_NAME) {
                String field = in.currentName();
                JsonToken value = in.nextToken();
                if (!field.equals("vocab")) {
                    in.skipChildren();
                } else if (value == JsonToken.START_OBJECT) { // BPE: {"piece": id}
                    while (in.nextToken() == JsonToken.FIELD_NAME) {
                        String piece = in.currentName();
                        in.nextToken();
                        int id = in.getIntValue();
                        while (pieces.size() <= id) {
                            pieces.add(null);
                        }
                        pieces.set(id, piece);
                    }
                } else if (value == JsonToken.START_ARRAY) { // Unigram: [["piece", score], ...]
                    while (in.nextToken() == JsonToken.START_ARRAY) {
                        in.nextToken();
                        pieces.add(in.getText());
                        while (in.nextToken() != JsonToken.END_ARRAY) {
                            in.skipChildren();
                        }
                    }
                } else {
                    in.skipChildren();
                }
            }
        }

        private static void readAdded(JsonParser in, List<Object[]> added) throws IOException {
            while (in.nextToken() == JsonToken.START_OBJECT) {
                Object[] entry = {null, null, Boolean.FALSE};
                while (in.nextToken() == JsonToken.FIELD_NAME) {
                    String field = in.currentName();
                    JsonToken value = in.nextToken();
                    switch (field) {
                        case "id" -> entry[0] = in.getIntValue();
                        case "content" -> entry[1] = in.getText();
                        case "special" -> entry[2] = value == JsonToken.VALUE_TRUE;
                        default -> in.skipChildren();
                    }
                }
                if (entry[0] != null && entry[1] != null) {
                    added.add(entry);
                }
            }
        }

        /** True when the decoder (or one in its sequence) is ByteLevel. */
        private static boolean containsByteLevel(JsonParser in) throws IOException {
            boolean found = false;
            int depth = 1;
            while (depth > 0) {
                JsonToken t = in.nextToken();
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    depth++;
                } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    depth--;
                } else if (t == JsonToken.VALUE_STRING && "type".equals(in.currentName()) && in.getText().equals("ByteLevel")) {
                    found = true;
                }
            }
            return found;
        }

        private static void expect(boolean ok, Path file) throws IOException {
            if (!ok) {
                throw new IOException(file + " is not a tokenizer.json object");
            }
        }
    }
}
