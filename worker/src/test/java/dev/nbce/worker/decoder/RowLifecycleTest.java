package dev.nbce.worker.decoder;

import static dev.nbce.worker.decoder.Logits.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.worker.model.Architecture;
import dev.nbce.worker.model.DeviceSpec;
import dev.nbce.worker.model.ModelConfig;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Row validation, failure atomicity and random-weight decoders (no reference files needed). */
class RowLifecycleTest {
    private static final ModelConfig SMALL = new ModelConfig(Architecture.LLAMA, 32, 64, 2, 4, 2, 8, 50, 128,
            1e-5, 10000.0, false, false, List.of(1));
    private static LlamaDecoder decoder;

    @BeforeAll
    static void load() {
        decoder = LlamaDecoder.randomWeights(SMALL, 42, DeviceSpec.cpu());
    }

    @AfterAll
    static void close() {
        decoder.close();
    }

    @Test
    void randomWeightsAreSeededAndShapedByTheConfig() {
        try (LlamaDecoder twin = LlamaDecoder.randomWeights(SMALL, 42, DeviceSpec.cpu());
             LlamaDecoder other = LlamaDecoder.randomWeights(SMALL, 43, DeviceSpec.cpu());
             RowCache a = decoder.newRow(); RowCache b = twin.newRow(); RowCache c = other.newRow()) {
            int[] prompt = {3, 1, 4, 1, 5};
            float[] first = decoder.forward(List.of(a), List.of(prompt))[0];
            assertEquals(SMALL.vocab(), first.length);
            assertArrayEquals(first, twin.forward(List.of(b), List.of(prompt))[0]);
            float[] different = other.forward(List.of(c), List.of(prompt))[0];
            assertTrue(Math.abs(first[0] - different[0]) > 1e-6 || Math.abs(first[1] - different[1]) > 1e-6);
        }
    }

    @Test
    void aFailedStepLeavesEveryRowUnchanged() {
        try (RowCache a = decoder.newRow(); RowCache b = decoder.newRow(); RowCache fresh = decoder.newRow()) {
            decoder.forward(List.of(a), List.of(new int[] {1, 2, 3}));
            assertThrows(IllegalArgumentException.class,
                    () -> decoder.forward(List.of(a, b), List.of(new int[] {4}, new int[] {SMALL.vocab()})));
            assertEquals(3, a.length());
            assertEquals(0, b.length());
            float[] continued = decoder.forward(List.of(a), List.of(new int[] {4}))[0];
            assertClose(decoder.forward(List.of(fresh), List.of(new int[] {1, 2, 3, 4}))[0], continued, "after failure");
        }
    }

    @Test
    void rejectsMalformedSteps() {
        RowCache closed = decoder.newRow();
        closed.close();
        closed.close(); // idempotent
        try (RowCache row = decoder.newRow(); LlamaDecoder other = LlamaDecoder.randomWeights(SMALL, 1, DeviceSpec.cpu());
             RowCache foreign = other.newRow()) {
            assertThrows(IllegalArgumentException.class, () -> decoder.forward(List.of(closed), List.of(new int[] {1})));
            assertThrows(IllegalArgumentException.class, () -> decoder.forward(List.of(foreign), List.of(new int[] {1})));
            assertThrows(IllegalArgumentException.class,
                    () -> decoder.forward(List.of(row, row), List.of(new int[] {1}, new int[] {2})));
            assertThrows(IllegalArgumentException.class, () -> decoder.forward(List.of(row), List.of(new int[0])));
            assertThrows(IllegalArgumentException.class, () -> decoder.forward(List.of(row), List.of()));
            assertThrows(IllegalArgumentException.class, () -> decoder.forward(List.of(), List.of()));
            assertThrows(IllegalArgumentException.class, () -> decoder.forward(List.of(row), List.of(new int[] {-1})));
            assertEquals(0, row.length());
        }
    }

    @Test
    void stepsLeaveNoNativeArraysBehindAndClosingFreesTheCache() {
        RowCache a = decoder.newRow();
        RowCache b = decoder.newRow();
        decoder.forward(List.of(a, b), List.of(new int[] {1, 2, 3}, new int[] {4}));
        int live = decoder.weights().manager().getManagedArrays().size();
        for (int i = 0; i < 20; i++) {
            decoder.forward(List.of(a, b), List.of(new int[] {5}, new int[] {6, 7}));
        }
        assertEquals(RowCache.QUANTUM, a.capacity(), "no regrowth in this test");
        assertEquals(live, decoder.weights().manager().getManagedArrays().size(), "step temporaries must be freed");
        a.close();
        b.close();
        assertEquals(live - 2, decoder.weights().manager().getManagedArrays().size(), "each row held one buffer");
    }

    @Test
    void batchedDecodeOfRowsAtDifferentLengthsEqualsRowsAlone() {
        int[][] prompts = {{5}, {7, 8, 9, 10, 11, 12, 13}, {2, 2, 2}};
        try (RowCache a = decoder.newRow(); RowCache b = decoder.newRow(); RowCache c = decoder.newRow()) {
            List<RowCache> rows = List.of(a, b, c);
            decoder.forward(rows, List.of(prompts));
            float[][] batched = decoder.forward(rows, List.of(new int[] {20}, new int[] {21, 22}, new int[] {23}));
            int[][] whole = {{5, 20}, {7, 8, 9, 10, 11, 12, 13, 21, 22}, {2, 2, 2, 23}};
            for (int i = 0; i < 3; i++) {
                try (RowCache alone = decoder.newRow()) {
                    assertClose(decoder.forward(List.of(alone), List.of(whole[i]))[0], batched[i], "row " + i);
                }
            }
        }
    }
}
