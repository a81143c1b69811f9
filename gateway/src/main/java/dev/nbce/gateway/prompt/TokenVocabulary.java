package dev.nbce.gateway.prompt;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Token text to id from a {@code tokenizer.json}, read as a stream: only {@code model.vocab} and
 * {@code added_tokens} are looked at, the merges and everything else are skipped unparsed. Building a
 * tree of a real tokenizer (Gemma 3's is 33 MB) took as long as loading the native tokenizer itself.
 * Added tokens win over a vocabulary entry with the same text, as in the tokenizer.
 */
final class TokenVocabulary {

    private static final JsonFactory JSON = new JsonFactory();

    private TokenVocabulary() {}

    static Map<String, Integer> read(Path file) throws IOException {
        Map<String, Integer> vocab = new HashMap<>();
        Map<String, Integer> added = new HashMap<>();
        try (JsonParser in = JSON.createParser(file.toFile())) {
            expect(in.nextToken(), JsonToken.START_OBJECT, file);
            while (in.nextToken() == JsonToken.FIELD_NAME) {
                String field = in.getCurrentName();
                JsonToken value = in.nextToken();
                if (field.equals("model") && value == JsonToken.START_OBJECT) {
                    readModel(in, vocab);
                } else if (field.equals("added_tokens") && value == JsonToken.START_ARRAY) {
                    readAdded(in, added);
                } else {
                    in.skipChildren();
                }
            }
        }
        vocab.putAll(added);
        return Map.copyOf(vocab);
    }

    private static void readModel(JsonParser in, Map<String, Integer> vocab) throws IOException {
        while (in.nextToken() == JsonToken.FIELD_NAME) {
            String field = in.getCurrentName();
            JsonToken value = in.nextToken();
            if (!field.equals("vocab")) {
                in.skipChildren();
            } else if (value == JsonToken.START_OBJECT) { // BPE, WordPiece, WordLevel: {"token": id}
                while (in.nextToken() == JsonToken.FIELD_NAME) {
                    String token = in.getCurrentName();
                    in.nextToken();
                    vocab.put(token, in.getIntValue());
                }
            } else if (value == JsonToken.START_ARRAY) { // Unigram: [["piece", score], ...], the id is the position
                int id = 0;
                while (in.nextToken() == JsonToken.START_ARRAY) {
                    in.nextToken();
                    vocab.put(in.getText(), id++);
                    while (in.nextToken() != JsonToken.END_ARRAY) {
                        in.skipChildren();
                    }
                }
            } else {
                in.skipChildren();
            }
        }
    }

    private static void readAdded(JsonParser in, Map<String, Integer> added) throws IOException {
        while (in.nextToken() == JsonToken.START_OBJECT) {
            String content = null;
            Integer id = null;
            while (in.nextToken() == JsonToken.FIELD_NAME) {
                String field = in.getCurrentName();
                JsonToken value = in.nextToken();
                if (field.equals("content") && value == JsonToken.VALUE_STRING) {
                    content = in.getText();
                } else if (field.equals("id") && value == JsonToken.VALUE_NUMBER_INT) {
                    id = in.getIntValue();
                } else {
                    in.skipChildren();
                }
            }
            if (content != null && id != null) {
                added.put(content, id);
            }
        }
    }

    private static void expect(JsonToken actual, JsonToken expected, Path file) throws IOException {
        if (actual != expected) {
            throw new IOException(file + " is not a tokenizer.json (expected " + expected + ", got " + actual + ")");
        }
    }
}
