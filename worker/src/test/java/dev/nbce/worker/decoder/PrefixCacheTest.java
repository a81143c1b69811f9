package dev.nbce.worker.decoder;

import static dev.nbce.worker.decoder.Logits.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.worker.model.DeviceSpec;
import dev.nbce.worker.model.ModelConfig;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The prefix cache on every fixture model: a row that restores a cached prefix (a follow-up turn: the
 * earlier row, its answer and a new turn) gives the logits of a fresh prefill and decodes the same
 * way after it, including tiny-mistral's sliding window; blocks are shared only under equal prefixes;
 * matching is token by token (a row's trailing partial block is kept as a partial leaf, and a prompt
 * takes the leading tokens it shares with a cached block), which is exact too; eviction keeps the byte
 * budget, partial leaves included, and frees the native memory.
 */
class PrefixCacheTest {
    private static final int BLOCK = 8;
    private static final Map<String, LlamaDecoder> DECODERS = new HashMap<>();

    static List<String> models() {
        return Reference.MODELS;
    }

    private static LlamaDecoder decoder(String model) {
        return DECODERS.computeIfAbsent(model, m -> LlamaDecoder.load(Reference.load(m).modelDir, DeviceSpec.cpu(),
                DecoderOptions.DEFAULT.withPrefillChunkTokens(512)));
    }

    @AfterAll
    static void close() {
        DECODERS.values().forEach(LlamaDecoder::close);
        DECODERS.clear();
    }

    private static PrefixCache cache(LlamaDecoder decoder, long budgetBytes) {
        return decoder.newPrefixCache(new PrefixCacheOptions(true, BLOCK, budgetBytes));
    }

    /** Greedy decode of {@code steps} tokens after {@code first}; returns every step's logits. */
    private static float[][] decode(LlamaDecoder decoder, RowCache row, float[] first, int steps) {
        float[][] out = new float[steps][];
        float[] last = first;
        for (int s = 0; s < steps; s++) {
            last = decoder.forward(List.of(row), List.of(new int[] {Logits.argmax(last)}))[0];
            out[s] = last;
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("models")
    void aFollowUpTurnRestoresItsPrefixAndContinuesAsAFreshPrefill(String model) {
        LlamaDecoder decoder = decoder(model);
        Reference reference = Reference.load(model);
        try (PrefixCache cache = cache(decoder, 64L << 20)) {
            for (int[] prompt : reference.nbce.get(0).rowIds()) {
                int[] turn;
                try (RowCache first = decoder.newRow()) {
                    // Rows of one case share the chat template's opening, cached by the first row.
                    int shared = cache.restore(first, prompt);
                    float[] logits = decoder.forward(List.of(first),
                            List.of(Arrays.copyOfRange(prompt, shared, prompt.length)))[0];
                    decode(decoder, first, logits, 3);
                    cache.store(first);
                    turn = first.tokens();
                }
                // The earlier row with its answer, then a new turn (here: the row's own last tokens again).
                int[] followUp = IntStream.concat(Arrays.stream(turn),
                        Arrays.stream(prompt, Math.max(0, prompt.length - 12), prompt.length)).toArray();
                try (RowCache restored = decoder.newRow(); RowCache fresh = decoder.newRow()) {
                    int reused = cache.restore(restored, followUp);
                    assertEquals(turn.length, reused, "the earlier row to its last token, partial block too");
                    assertTrue(reused > 0 && reused < followUp.length);
                    float[] a = decoder.forward(List.of(restored),
                            List.of(Arrays.copyOfRange(followUp, reused, followUp.length)))[0];
                    float[] b = decoder.forward(List.of(fresh), List.of(followUp))[0];
                    assertClose(b, a, model + ": first logits after the restored prefix");
                    float[][] da = decode(decoder, restored, a, 4);
                    float[][] db = decode(decoder, fresh, b, 4);
                    for (int s = 0; s < da.length; s++) {
                        assertEquals(Logits.argmax(db[s]), Logits.argmax(da[s]), model + ": argmax at step " + s);
                        assertClose(db[s], da[s], model + ": step " + s);
                    }
                    assertEquals(Arrays.toString(fresh.tokens()), Arrays.toString(restored.tokens()));
                }
            }
            assertTrue(cache.hitTokens() > 0 && cache.hitTokens() < cache.queryTokens());
        }
    }

    @Test
    void blocksAreSharedOnlyWhenEveryEarlierTokenIsEqual() {
        LlamaDecoder decoder = decoder("tiny-llama");
        int[] stored = IntStream.range(0, 4 * BLOCK).map(i -> 10 + i).toArray();
        try (PrefixCache cache = cache(decoder, 64L << 20); RowCache row = decoder.newRow()) {
            decoder.forward(List.of(row), List.of(stored));
            cache.store(row);
            assertEquals(4, cache.blockCount());

            int[] firstDiffers = stored.clone();
            firstDiffers[0] = 99; // later blocks equal token for token, but their prefix is not
            assertEquals(0, restored(decoder, cache, firstDiffers));
            int[] secondBlockDiffers = stored.clone();
            secondBlockDiffers[BLOCK + 3] = 99;
            assertEquals(BLOCK + 3, restored(decoder, cache, secondBlockDiffers), "token by token up to the difference");
            // The whole stored row but its last token, which must be prefilled for its logits.
            assertEquals(4 * BLOCK - 1, restored(decoder, cache, stored));
            int[] longer = Arrays.copyOf(stored, stored.length + 1);
            assertEquals(4 * BLOCK, restored(decoder, cache, longer));
            assertEquals(0, restored(decoder, cache, Arrays.copyOf(stored, BLOCK)), "less than a block is not restored");
            assertEquals(BLOCK, restored(decoder, cache, Arrays.copyOf(stored, BLOCK + 1)));
            assertEquals(4, cache.blockCount(), "restoring stores nothing");
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void aPartialLeafOrPartOfABlockRestoresTheLogitsOfAFreshPrefill(String model) {
        LlamaDecoder decoder = decoder(model);
        int[] prompt = Reference.load(model).nbce.get(0).rowIds().get(1);
        int cut = prompt.length / BLOCK * BLOCK - BLOCK / 2; // ends inside a block
        int[] head = Arrays.copyOf(prompt, cut);
        try (PrefixCache cache = cache(decoder, 64L << 20)) {
            store(decoder, cache, head);
            assertEquals(cut / BLOCK + 1, cache.blockCount(), "whole blocks and one partial leaf");
            // The leaf's tokens are a prefix of the prompt's continuation: taken whole.
            assertFreshLogits(decoder, cache, prompt, cut, model + ": partial leaf");
            // A prompt that leaves the leaf after two of its tokens takes just those two.
            int[] diverges = prompt.clone();
            diverges[cut / BLOCK * BLOCK + 2] = (diverges[cut / BLOCK * BLOCK + 2] + 1) % decoder.config().vocab();
            assertFreshLogits(decoder, cache, diverges, cut / BLOCK * BLOCK + 2, model + ": part of a partial leaf");
            // Part of a whole block: the stored row, then a prompt that differs three tokens into its second block.
            int[] inBlock = head.clone();
            inBlock[BLOCK + 3] = (inBlock[BLOCK + 3] + 1) % decoder.config().vocab();
            assertFreshLogits(decoder, cache, inBlock, BLOCK + 3, model + ": part of a whole block");
        }
    }

    /** Restores {@code prompt}, expecting {@code reused} tokens, and compares the first logits with a fresh prefill. */
    private static void assertFreshLogits(LlamaDecoder decoder, PrefixCache cache, int[] prompt, int reused, String what) {
        try (RowCache restored = decoder.newRow(); RowCache fresh = decoder.newRow()) {
            assertEquals(reused, cache.restore(restored, prompt), what + ": tokens restored");
            float[] a = decoder.forward(List.of(restored), List.of(Arrays.copyOfRange(prompt, reused, prompt.length)))[0];
            float[] b = decoder.forward(List.of(fresh), List.of(prompt))[0];
            assertClose(b, a, what);
            assertEquals(Arrays.toString(fresh.tokens()), Arrays.toString(restored.tokens()));
        }
    }

    @Test
    void aPartialLeafWhoseTokensDivergeIsNotUsed() {
        LlamaDecoder decoder = decoder("tiny-llama");
        int[] stored = IntStream.range(0, 2 * BLOCK + 5).map(i -> 10 + i).toArray();
        try (PrefixCache cache = cache(decoder, 64L << 20)) {
            store(decoder, cache, stored);
            int[] leafDiffers = Arrays.copyOf(stored, stored.length + 4);
            leafDiffers[2 * BLOCK] = 99; // the first token of the leaf
            assertEquals(2 * BLOCK, restored(decoder, cache, leafDiffers));
            int[] pathDiffers = Arrays.copyOf(stored, stored.length + 4);
            pathDiffers[BLOCK + 1] = 99; // the leaf's tokens follow, but under another prefix
            assertEquals(BLOCK + 1, restored(decoder, cache, pathDiffers));
        }
    }

    @Test
    void aPartialLeafIsReplacedByTheLongerRowAndEvictedLikeAnyBlock() {
        LlamaDecoder decoder = decoder("tiny-llama");
        ModelConfig c = decoder.config();
        long tokenBytes = (long) c.layers() * 2 * c.kvHeads() * c.headDim() * Float.BYTES;
        int live = decoder.weights().manager().getManagedArrays().size();
        try (PrefixCache cache = cache(decoder, 3 * BLOCK * tokenBytes)) {
            int[] prompt = IntStream.range(0, BLOCK + 3).map(i -> 10 + i).toArray();
            store(decoder, cache, prompt);
            assertEquals(2, cache.blockCount());
            assertEquals((BLOCK + 3) * tokenBytes, cache.bytes(), "a partial leaf counts its own tokens");
            // The same row with its answer: the leaf is now part of a whole block and is dropped, not evicted.
            store(decoder, cache, IntStream.range(0, 2 * BLOCK + 1).map(i -> 10 + i).toArray());
            assertEquals(3, cache.blockCount());
            assertEquals((2 * BLOCK + 1) * tokenBytes, cache.bytes());
            assertEquals(0, cache.evictions());
            assertEquals(2, cache.blockHashes().length, "the digest names whole blocks only");
            // Another row needs room: the least recently used leaf goes first, the partial one.
            store(decoder, cache, IntStream.range(0, BLOCK).map(i -> 300 + i).toArray());
            assertEquals(1, cache.evictions());
            assertTrue(cache.bytes() <= 3 * BLOCK * tokenBytes);
            assertEquals(2 * BLOCK, restored(decoder, cache, IntStream.range(0, 2 * BLOCK + 4).map(i -> 10 + i).toArray()));
            assertEquals(live + cache.blockCount(), decoder.weights().manager().getManagedArrays().size(),
                    "one array per cached block, the dropped and evicted ones freed");
        }
        assertEquals(live, decoder.weights().manager().getManagedArrays().size());
    }

    private static int restored(LlamaDecoder decoder, PrefixCache cache, int[] prompt) {
        try (RowCache row = decoder.newRow()) {
            return cache.restore(row, prompt);
        }
    }

    @Test
    void evictsLeastRecentlyUsedLeavesWithinTheBudgetAndFreesTheirMemory() {
        LlamaDecoder decoder = decoder("tiny-llama");
        ModelConfig c = decoder.config();
        long blockBytes = (long) c.layers() * 2 * c.kvHeads() * BLOCK * c.headDim() * Float.BYTES;
        int live = decoder.weights().manager().getManagedArrays().size();
        PrefixCache cache = cache(decoder, 3 * blockBytes);
        assertEquals(blockBytes, cache.blockBytes(), "bytes from shape and dtype (f32 on the CPU)");
        int[] a = IntStream.range(0, 2 * BLOCK).map(i -> 10 + i).toArray();
        int[] b = IntStream.range(0, 2 * BLOCK).map(i -> 200 + i).toArray();
        store(decoder, cache, a);
        store(decoder, cache, b); // needs a fourth block: evicts a's leaf, the least recently used
        assertEquals(3, cache.blockCount());
        assertEquals(3 * blockBytes, cache.bytes());
        assertEquals(1, cache.evictions());
        assertEquals(BLOCK, restored(decoder, cache, Arrays.copyOf(a, 2 * BLOCK + 1)), "a's first block remains");
        assertEquals(2 * BLOCK, restored(decoder, cache, Arrays.copyOf(b, 2 * BLOCK + 1)), "b whole");
        store(decoder, cache, IntStream.range(0, 3 * BLOCK).map(i -> 400 + i).toArray());
        assertTrue(cache.bytes() <= 3 * blockBytes);
        assertEquals(live + 3, decoder.weights().manager().getManagedArrays().size(), "one array per cached block, no temporaries");
        cache.close();
        assertEquals(live, decoder.weights().manager().getManagedArrays().size(), "closing frees every block");
    }

    private static void store(LlamaDecoder decoder, PrefixCache cache, int[] tokens) {
        try (RowCache row = decoder.newRow()) {
            decoder.forward(List.of(row), List.of(tokens));
            cache.store(row);
        }
    }

    @Test
    void turnedOffItKeepsAndRestoresNothing() {
        LlamaDecoder decoder = decoder("tiny-llama");
        int[] tokens = IntStream.range(0, 3 * BLOCK).map(i -> 10 + i).toArray();
        try (PrefixCache cache = decoder.newPrefixCache(PrefixCacheOptions.OFF)) {
            store(decoder, cache, tokens);
            assertEquals(0, cache.bytes());
            assertEquals(0, restored(decoder, cache, tokens));
            assertEquals(0, cache.queryTokens());
        }
    }
}
