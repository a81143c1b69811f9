package dev.nbce.worker.decoder;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Assertions and small helpers over logit vectors. */
final class Logits {
    static final float TOLERANCE = 1e-4f;

    private Logits() {
    }

    static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        float worst = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            float d = Math.abs(expected[i] - actual[i]);
            if (!(d <= worst)) {
                worst = d;
                at = i;
            }
        }
        if (!(worst <= TOLERANCE)) {
            throw new AssertionError(what + ": max |diff| " + worst + " at " + at + " (expected "
                    + expected[at] + ", got " + actual[at] + ")");
        }
    }

    static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    static float sum(float[] values) {
        double s = 0;
        for (float v : values) {
            s += v;
        }
        return (float) s;
    }
}
