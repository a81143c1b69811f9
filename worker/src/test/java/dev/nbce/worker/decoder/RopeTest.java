package dev.nbce.worker.decoder;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nbce.worker.model.RopeScaling;
import org.junit.jupiter.api.Test;

/** RoPE frequencies per rope type (formulas and tiny-llama3's figures from fixtures/models/FAMILIES.md). */
class RopeTest {
    private static void assertRelative(double expected, float actual, String what) {
        assertEquals(expected, actual, Math.abs(expected) * 1e-4, what);
    }

    @Test
    void llama3KeepsShortWavelengthsDividesLongOnesAndInterpolatesBetween() {
        float[] plain = Rope.inverseFrequencies(RopeScaling.plain(10000), 16);
        float[] f = Rope.inverseFrequencies(RopeScaling.llama3(10000, 8, 1, 4, 32), 16);
        double[] expected = {1, 0.09584, 0.0125, 0.00395285, 0.00125, 0.000395285, 0.000125, 3.95285e-05};
        for (int i = 0; i < f.length; i++) {
            assertRelative(expected[i], f[i], "llama3 frequency " + i);
        }
        assertEquals(plain[0], f[0], "wavelength 6.3 < 8: unchanged");
        double s = (32 / (2 * Math.PI / plain[1]) - 1) / (4 - 1);
        assertEquals(0.2035, s, 1e-4, "the one smoothed band");
    }

    @Test
    void linearDividesEveryFrequencyAndDefaultIsThetaPower() {
        float[] plain = Rope.inverseFrequencies(RopeScaling.plain(10000), 16);
        float[] linear = Rope.inverseFrequencies(RopeScaling.linear(10000, 4), 16);
        for (int i = 0; i < plain.length; i++) {
            assertRelative(Math.pow(10000, -2.0 * i / 16), plain[i], "default " + i);
            assertEquals(plain[i] / 4f, linear[i], "linear " + i);
        }
    }
}
