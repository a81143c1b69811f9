package dev.nbce.worker.decoder;

import static dev.nbce.worker.decoder.Logits.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.worker.model.DeviceSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The decoder against the reference outputs of every fixture model (see fixtures/models/FAMILIES.md):
 * tiny-llama (Llama 2), tiny-llama3 (llama3 RoPE scaling, BF16 weights), tiny-qwen3 (q/k norms,
 * explicit head_dim, tied head) and tiny-mistral (sliding window 16) — logits within 1e-4 in the full
 * pass, through the KV cache, batched and padded, and prefilled in chunks; argmax per position exact.
 */
class ReferenceLogitsTest {
    private static final Map<String, Reference> REFERENCES = new HashMap<>();
    private static final Map<String, LlamaDecoder> DECODERS = new HashMap<>();
    private static Reference reference;
    private static LlamaDecoder decoder;

    static List<String> models() {
        return Reference.MODELS;
    }

    /** Selects the model of the running test (loaded once per class). */
    private static void use(String model) {
        reference = REFERENCES.computeIfAbsent(model, Reference::load);
        decoder = DECODERS.computeIfAbsent(model, m -> LlamaDecoder.load(reference.modelDir, DeviceSpec.cpu(),
                DecoderOptions.DEFAULT.withPrefillChunkTokens(512)));
    }

    @AfterAll
    static void close() {
        DECODERS.values().forEach(LlamaDecoder::close);
        DECODERS.clear();
    }

    @ParameterizedTest
    @MethodSource("models")
    void fullForwardMatchesEveryPosition(String model) {
        use(model);
        for (Reference.Prompt p : reference.forward) {
            try (RowCache row = decoder.newRow()) {
                float[][] all = decoder.forwardAllPositions(row, p.ids());
                assertEquals(p.ids().length, row.length());
                assertClose(p.lastLogits(), all[all.length - 1], "last logits, " + p.ids().length + " tokens");
                int[] argmax = Arrays.stream(all).mapToInt(Logits::argmax).toArray();
                assertArrayEquals(p.argmaxPerPosition(), argmax, "argmax per position");
                for (int i = 0; i < all.length; i++) {
                    // A sum over 1024 logits: allow the accumulated rounding of 1024 terms.
                    assertEquals(p.logitSumPerPosition()[i], Logits.sum(all[i]), 2e-3, "logit sum at " + i);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void prefillThenOneTokenAtATimeMatchesTheFullPass(String model) {
        use(model);
        Reference.Incremental inc = reference.incremental;
        try (RowCache row = decoder.newRow()) {
            float[] last = step(row, Arrays.copyOfRange(inc.ids(), 0, inc.prefill()));
            for (int i = inc.prefill(); i < inc.ids().length; i++) {
                last = step(row, new int[] {inc.ids()[i]});
            }
            assertEquals(inc.ids().length, row.length());
            assertClose(inc.lastLogits(), last, "incremental last logits");
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void cacheGrowthKeepsResultsExact(String model) {
        use(model);
        // 87 tokens: prefill 60 (capacity 64), then decode across the regrowth at position 64.
        Reference.Prompt p = reference.forward.get(2);
        try (RowCache row = decoder.newRow()) {
            float[] last = step(row, Arrays.copyOfRange(p.ids(), 0, 60));
            assertEquals(RowCache.QUANTUM, row.capacity());
            for (int i = 60; i < p.ids().length; i++) {
                last = step(row, new int[] {p.ids()[i]});
            }
            assertTrue(row.capacity() >= p.ids().length);
            assertClose(p.lastLogits(), last, "after regrowth");
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void oneBatchOfDifferentLengthsEqualsEachPromptAlone(String model) {
        use(model);
        List<RowCache> rows = new ArrayList<>();
        List<int[]> tokens = new ArrayList<>();
        try {
            for (Reference.Prompt p : reference.forward) {
                rows.add(decoder.newRow());
                tokens.add(p.ids());
            }
            float[][] batched = decoder.forward(rows, tokens);
            for (int i = 0; i < rows.size(); i++) {
                Reference.Prompt p = reference.forward.get(i);
                assertEquals(p.ids().length, rows.get(i).length());
                assertClose(p.lastLogits(), batched[i], "batched prompt " + i);
                try (RowCache alone = decoder.newRow()) {
                    assertClose(step(alone, p.ids()), batched[i], "batched vs alone, prompt " + i);
                }
            }
        } finally {
            rows.forEach(RowCache::close);
        }
    }

    /**
     * Rows at different lengths, fed chunks and single tokens in the same steps, in changing
     * combinations (a row may sit a step out): every row ends on the reference logits of its prompt.
     */
    @ParameterizedTest
    @MethodSource("models")
    void mixedPrefillAndDecodeBatchesMatchTheReference(String model) {
        use(model);
        List<int[]> prompts = new ArrayList<>();
        List<float[]> expected = new ArrayList<>();
        reference.forward.forEach(p -> {
            prompts.add(p.ids());
            expected.add(p.lastLogits());
        });
        prompts.add(reference.incremental.ids());
        expected.add(reference.incremental.lastLogits());

        int[][] chunkPlans = {
            {1, 2, 1, 1, 1},        // 6 tokens
            {5, 1, 1, 20, 1, 4},    // 32 tokens
            {40, 1, 30, 1, 1, 14},  // 87 tokens
            {10, 1, 1, 1, 19},      // the incremental prompt: 32 tokens (tiny-llama) or 87 (the family fixtures)
        };
        for (int r = 0; r < chunkPlans.length; r++) {
            // The last chunk takes what is left, so a plan fits whatever the prompt's length.
            int[] plan = chunkPlans[r];
            plan[plan.length - 1] = prompts.get(r).length - Arrays.stream(plan, 0, plan.length - 1).sum();
        }
        List<RowCache> rows = new ArrayList<>();
        prompts.forEach(p -> rows.add(decoder.newRow()));
        int[] fed = new int[prompts.size()];
        int[] chunk = new int[prompts.size()];
        float[][] last = new float[prompts.size()][];
        try {
            boolean more = true;
            for (int stepNo = 0; more; stepNo++) {
                List<RowCache> stepRows = new ArrayList<>();
                List<int[]> stepTokens = new ArrayList<>();
                List<Integer> which = new ArrayList<>();
                for (int r = 0; r < prompts.size(); r++) {
                    boolean sitsOut = stepNo % 3 == r % 3 && stepNo > 0;
                    if (chunk[r] < chunkPlans[r].length && !sitsOut) {
                        int n = chunkPlans[r][chunk[r]++];
                        stepRows.add(rows.get(r));
                        stepTokens.add(Arrays.copyOfRange(prompts.get(r), fed[r], fed[r] + n));
                        which.add(r);
                        fed[r] += n;
                    }
                }
                float[][] out = decoder.forward(stepRows, stepTokens);
                for (int k = 0; k < which.size(); k++) {
                    last[which.get(k)] = out[k];
                }
                more = false;
                for (int r = 0; r < prompts.size(); r++) {
                    more |= chunk[r] < chunkPlans[r].length;
                }
            }
            for (int r = 0; r < prompts.size(); r++) {
                assertEquals(prompts.get(r).length, fed[r], "plan covers prompt " + r);
                assertEquals(prompts.get(r).length, rows.get(r).length());
                assertClose(expected.get(r), last[r], "mixed batches, prompt " + r);
            }
        } finally {
            rows.forEach(RowCache::close);
        }
    }

    /**
     * Prefill in chunks of 7 tokens (so chunks straddle tiny-mistral's window of 16 and the cache
     * regrowth at 64): every position's argmax and the last logits equal the reference and the
     * one-pass result; batched rows of different lengths chunked together too.
     */
    @ParameterizedTest
    @MethodSource("models")
    void chunkedPrefillEqualsOnePass(String model) {
        use(model);
        LlamaDecoder chunked = decoder.withOptions(decoder.options().withPrefillChunkTokens(7));
        for (Reference.Prompt p : reference.forward) {
            try (RowCache row = chunked.newRow(); RowCache whole = decoder.newRow()) {
                float[][] all = chunked.forwardAllPositions(row, p.ids());
                assertEquals(p.ids().length, row.length());
                int[] argmax = Arrays.stream(all).mapToInt(Logits::argmax).toArray();
                assertArrayEquals(p.argmaxPerPosition(), argmax, "argmax per position, chunks of 7");
                assertClose(p.lastLogits(), all[all.length - 1], "chunked last logits, " + p.ids().length + " tokens");
                assertClose(step(whole, p.ids()), all[all.length - 1], "chunked vs one pass");
            }
        }
        List<RowCache> rows = new ArrayList<>();
        List<int[]> tokens = new ArrayList<>();
        try {
            for (Reference.Prompt p : reference.forward) {
                rows.add(chunked.newRow());
                tokens.add(p.ids());
            }
            float[][] batched = chunked.forward(rows, tokens);
            for (int i = 0; i < rows.size(); i++) {
                assertEquals(tokens.get(i).length, rows.get(i).length());
                assertClose(reference.forward.get(i).lastLogits(), batched[i], "chunked batch, prompt " + i);
            }
        } finally {
            rows.forEach(RowCache::close);
        }
        Reference.Incremental inc = reference.incremental;
        try (RowCache row = chunked.newRow()) {
            float[] last = chunked.forward(List.of(row), List.of(Arrays.copyOfRange(inc.ids(), 0, inc.prefill())))[0];
            for (int i = inc.prefill(); i < inc.ids().length; i++) {
                last = chunked.forward(List.of(row), List.of(new int[] {inc.ids()[i]}))[0];
            }
            assertClose(inc.lastLogits(), last, "incremental after a chunked prefill");
        }
    }

    private static float[] step(RowCache row, int[] tokens) {
        return decoder.forward(List.of(row), List.of(tokens))[0];
    }
}
