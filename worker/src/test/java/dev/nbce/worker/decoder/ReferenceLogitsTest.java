package dev.nbce.worker.decoder;

import static dev.nbce.worker.decoder.Logits.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.worker.model.DeviceSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The decoder against Hugging Face transformers' outputs for the tiny random Llama (fp32, eager). */
class ReferenceLogitsTest {
    private static Reference reference;
    private static LlamaDecoder decoder;

    @BeforeAll
    static void load() {
        reference = Reference.load();
        decoder = LlamaDecoder.load(reference.modelDir, DeviceSpec.cpu());
    }

    @AfterAll
    static void close() {
        if (decoder != null) {
            decoder.close();
        }
    }

    @Test
    void fullForwardMatchesEveryPosition() {
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

    @Test
    void prefillThenOneTokenAtATimeMatchesTheFullPass() {
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

    @Test
    void cacheGrowthKeepsResultsExact() {
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

    @Test
    void oneBatchOfDifferentLengthsEqualsEachPromptAlone() {
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
    @Test
    void mixedPrefillAndDecodeBatchesMatchTheReference() {
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
            {10, 1, 1, 1, 19},      // 32 tokens (incremental prompt)
        };
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

    private static float[] step(RowCache row, int[] tokens) {
        return decoder.forward(List.of(row), List.of(tokens))[0];
    }
}
