package dev.nbce.gateway.prompt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.common.testing.Fixtures;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TokenTextStreamTest {

    private static ModelTokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException {
        tokenizer = ModelTokenizer.load(Fixtures.model("nbce-demo"));
    }

    @AfterAll
    static void close() {
        if (tokenizer != null) {
            tokenizer.close();
        }
    }

    @Test
    void neverSplitsACharacterAndLosesNothing() {
        String text = "Zoë paid 42€ — 日本語 ✓ 😀😀 done.";
        int[] ids = tokenizer.encode(text);
        TokenTextStream stream = tokenizer.stream();
        List<String> deltas = new ArrayList<>();
        int heldBack = 0;
        for (int id : ids) {
            String delta = stream.push(id);
            if (delta.isEmpty()) {
                heldBack++;
            }
            assertFalse(delta.contains("\uFFFD"), "partial character emitted: " + deltas);
            deltas.add(delta);
        }
        String rest = stream.flush();
        assertEquals("", rest);
        assertEquals(text, String.join("", deltas));
        assertTrue(heldBack > 0, "multi-byte characters span several tokens here, so some steps emit nothing");
        assertTrue(deltas.contains("😀") || deltas.stream().anyMatch(d -> d.endsWith("😀")),
                "the emoji arrives whole: " + deltas);
        assertArrayEquals(ids, stream.ids());
    }

    @Test
    void skipsSpecialTokensLikeDecode() {
        int[] ids = tokenizer.encode("Oslo<|im_end|>");
        TokenTextStream stream = tokenizer.stream();
        StringBuilder out = new StringBuilder();
        for (int id : ids) {
            out.append(stream.push(id));
        }
        out.append(stream.flush());
        assertEquals("Oslo", out.toString());
    }

    @Test
    void concatenationEqualsDecodeForArbitraryIds() {
        Random random = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            int[] ids = new int[1 + random.nextInt(24)];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = random.nextInt(1024); // any id, invalid UTF-8 byte runs included
            }
            TokenTextStream stream = tokenizer.stream();
            StringBuilder out = new StringBuilder();
            for (int id : ids) {
                out.append(stream.push(id));
            }
            out.append(stream.flush());
            assertEquals(tokenizer.decode(ids), out.toString(), "ids " + java.util.Arrays.toString(ids));
        }
    }

    @Test
    void holdsAnUnfinishedCharacterUntilFlush() {
        int[] ids = tokenizer.encode("😀");
        assertTrue(ids.length > 1, "the emoji is several byte tokens");
        TokenTextStream stream = tokenizer.stream();
        for (int i = 0; i < ids.length - 1; i++) {
            assertEquals("", stream.push(ids[i]));
        }
        assertEquals("\uFFFD".repeat(1), tokenizer.decode(new int[] {ids[0]}).substring(0, 1));
        String flushed = stream.flush();
        assertEquals(tokenizer.decode(java.util.Arrays.copyOf(ids, ids.length - 1)), flushed,
                "generation stopped mid-character: flush shows what decode shows");
    }
}
