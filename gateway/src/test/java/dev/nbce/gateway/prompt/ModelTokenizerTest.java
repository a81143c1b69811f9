package dev.nbce.gateway.prompt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.testing.Fixtures;
import java.io.IOException;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ModelTokenizerTest {

    private static ModelTokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException {
        tokenizer = ModelTokenizer.load(Fixtures.model("tiny-llama"));
    }

    @AfterAll
    static void close() {
        if (tokenizer != null) {
            tokenizer.close();
        }
    }

    @Test
    void reproducesEveryReferenceRowOfHuggingFace() throws IOException {
        int rows = 0;
        for (JsonNode c : Fixtures.nbceCases("tiny-llama")) {
            List<String> texts = Fixtures.strings(c.get("row_texts"));
            for (int r = 0; r < texts.size(); r++) {
                assertArrayEquals(Fixtures.ints(c.get("row_input_ids").get(r)), tokenizer.encode(texts.get(r)),
                        "row " + r + " of " + c.get("question"));
                rows++;
            }
        }
        assertEquals(18, rows); // 5 + 4 + 5 + 4 rows in the four cases
    }

    @Test
    void addsNothingAndCutsNothing() {
        assertEquals(0, tokenizer.encode("").length);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 1500; i++) {
            text.append("Fact ").append(i).append(" is true. ");
        }
        int[] ids = tokenizer.encode(text.toString());
        assertTrue(ids.length > 5000, "DJL's default 512-token truncation must be off, got " + ids.length);
        assertEquals(ids.length, tokenizer.count(text.toString()));
        assertEquals(text.toString(), tokenizer.decode(ids)); // byte-level BPE is lossless
    }

    @Test
    void decodesWithOrWithoutSpecialTokens() {
        String row = "<|im_start|>user\nHi there<|im_end|>\n";
        int[] ids = tokenizer.encode(row);
        assertEquals(1, ids[0]);
        assertEquals(row, tokenizer.decode(ids, false));
        assertEquals("user\nHi there\n", tokenizer.decode(ids));
    }

    @Test
    void looksUpSpecialAndOrdinaryTokens() {
        assertEquals(OptionalInt.of(2), tokenizer.tokenId("<|im_end|>"));
        assertEquals(OptionalInt.of(0), tokenizer.tokenId("<|endoftext|>"));
        assertEquals(OptionalInt.of(1), tokenizer.tokenId("<|im_start|>"));
        int the = tokenizer.encode("The")[0];
        assertEquals(OptionalInt.of(the), tokenizer.tokenId("The"));
        assertFalse(tokenizer.tokenId("<|no such token|>").isPresent());
    }

    @Test
    void spansAreUtf16RangesOfTheText() {
        String text = "héllo 😀 wörld, 日本 ok";
        ModelTokenizer.TokenSpans spans = tokenizer.encodeWithSpans(text);
        assertArrayEquals(tokenizer.encode(text), spans.ids());
        int covered = 0;
        StringBuilder rebuilt = new StringBuilder();
        for (int i = 0; i < spans.ids().length; i++) {
            if (spans.starts()[i] >= covered) { // tokens sharing one character repeat its range
                assertEquals(covered, spans.starts()[i], "tokens must tile the text");
                rebuilt.append(text, spans.starts()[i], spans.ends()[i]);
                covered = spans.ends()[i];
            }
        }
        assertEquals(text, rebuilt.toString());
        int emoji = text.indexOf("😀");
        boolean emojiSpanned = false;
        for (int i = 0; i < spans.ids().length; i++) {
            emojiSpanned |= spans.starts()[i] == emoji && spans.ends()[i] == emoji + 2;
        }
        assertTrue(emojiSpanned, "a surrogate pair is one character of two UTF-16 units");
    }
}
