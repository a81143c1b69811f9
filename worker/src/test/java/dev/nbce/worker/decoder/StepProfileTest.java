package dev.nbce.worker.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.worker.model.Architecture;
import dev.nbce.worker.model.DeviceSpec;
import dev.nbce.worker.model.ModelConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A profile attached to a small random decoder: the same logits, every phase accounted for (no timing asserted). */
class StepProfileTest {
    private static final ModelConfig SMALL = new ModelConfig(Architecture.QWEN2, 16, 32, 2, 4, 2, 4, 50, 64, 1e-6, 10_000.0,
            true, true, List.of(0));

    @Test
    void profiledForwardsGiveTheSameLogitsAndTheirPhasesAddUpToTheForward() {
        try (LlamaDecoder decoder = LlamaDecoder.randomWeights(SMALL, 3, DeviceSpec.cpu());
             RowCache a = decoder.newRow(); RowCache b = decoder.newRow();
             RowCache c = decoder.newRow(); RowCache d = decoder.newRow()) {
            float[][] plainPrefill = decoder.forward(List.of(a, b), List.of(new int[] {1, 2, 3}, new int[] {4, 5}));
            float[][] plainStep = decoder.forward(List.of(a, b), List.of(new int[] {6}, new int[] {7}));

            StepProfile profile = StepProfile.create();
            decoder.profile(profile);
            float[][] profiledPrefill = decoder.forward(List.of(c, d), List.of(new int[] {1, 2, 3}, new int[] {4, 5}));
            float[][] profiledStep = decoder.forward(List.of(c, d), List.of(new int[] {6}, new int[] {7}));
            decoder.profile(null);
            decoder.forward(List.of(c), List.of(new int[] {8}));

            for (int r = 0; r < 2; r++) {
                assertArrayEquals(plainPrefill[r], profiledPrefill[r]);
                assertArrayEquals(plainStep[r], profiledStep[r]);
            }
            assertEquals(2, profile.forwards(), "the forward after detaching is not counted");
            Map<StepProfile.Phase, Double> phases = profile.millisPerForward();
            assertEquals(List.of(StepProfile.Phase.values()), List.copyOf(phases.keySet()));
            double sum = phases.values().stream().mapToDouble(Double::doubleValue).sum();
            assertEquals(profile.forwardMillis(), sum, 1e-6);
            assertTrue(phases.get(StepProfile.Phase.QKV) > 0 && phases.get(StepProfile.Phase.LM_HEAD) > 0, phases.toString());
            // Each layer alone makes a few dozen tensors; both layers and the step's own make more than that.
            assertTrue(profile.tensorsPerForward() > 2 * 10, "tensors " + profile.tensorsPerForward());
        }
    }
}
