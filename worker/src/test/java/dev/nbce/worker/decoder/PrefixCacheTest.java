package dev.nbce.worker.decoder;

import static dev.nbce.worker.decoder.Logits.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.worker.model.ModelConfig;
import dev.nbce.worker.model.DeviceSpec;
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
 * eviction keeps the byte budget and frees the native memory.
 */
class PrefixCacheTest {
    private static final int BLOCK = 8;
    private static final Map<String, LlamaDecoder> DECODERS = new HashMap<>();

    static List<String> models() {
        return Reference.MODELS;
    }

    private static LlamaDecoder decoder(String model) {
        return DECODERS.computeIfAbsent(model, m -> LlamaDecoder.load(Reference.load(m).modelDir, DeviceSpec.cpu(),
                DecoderOptions.fromEnvironment().withPrefillChunkTokens(512)));
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
                    assertEquals(turn.length / BLOCK * BLOCK, reused, "every full block of the earlier row");
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
            assertEquals(BLOCK, restored(decoder, cache, secondBlockDiffers));
            // The whole stored row: all but the last block, whose last token must be prefilled for its logits.
            assertEquals(3 * BLOCK, restored(decoder, cache, stored));
            int[] longer = Arrays.copyOf(stored, stored.length + 1);
            assertEquals(4 * BLOCK, restored(decoder, cache, longer));
            // A partial block is never cached nor restored.
            assertEquals(0, restored(decoder, cache, Arrays.copyOf(stored, BLOCK)));
        }
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
        assertEquals(PrefixCacheOptions.DEFAULT, PrefixCacheOptions.parse(null, null, null));
        assertEquals(false, PrefixCacheOptions.parse("false", null, null).enabled());
        assertEquals(1024, PrefixCacheOptions.parse("true", "1024", "32").budgetBytes());
    }
}
