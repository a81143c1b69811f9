package dev.nbce.worker.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HalfFloatsTest {

    @Test
    void f16MatchesTheDefinitionForEveryBitPattern() {
        for (int bits = 0; bits < 0x10000; bits++) {
            int exponent = (bits >>> 10) & 0x1f;
            int mantissa = bits & 0x3ff;
            double sign = (bits & 0x8000) != 0 ? -1 : 1;
            float actual = HalfFloats.f16ToFloat((short) bits);
            if (exponent == 0x1f) {
                assertTrue(mantissa == 0 ? Float.isInfinite(actual) : Float.isNaN(actual), Integer.toHexString(bits));
                continue;
            }
            double expected = exponent == 0
                    ? sign * Math.scalb(mantissa / 1024.0, -14)
                    : sign * Math.scalb(1 + mantissa / 1024.0, exponent - 15);
            assertEquals((float) expected, actual, 0f, Integer.toHexString(bits));
            assertEquals(sign < 0, (Float.floatToRawIntBits(actual) & 0x8000_0000) != 0, "sign of zero too");
        }
    }

    @Test
    void knownF16Values() {
        assertEquals(1.0f, HalfFloats.f16ToFloat((short) 0x3c00));
        assertEquals(-2.0f, HalfFloats.f16ToFloat((short) 0xc000));
        assertEquals(65504f, HalfFloats.f16ToFloat((short) 0x7bff));
        assertEquals(0x1p-24f, HalfFloats.f16ToFloat((short) 0x0001));
    }

    @Test
    void bf16IsTheUpperHalfOfAFloat() {
        assertEquals(1.0f, HalfFloats.bf16ToFloat((short) 0x3f80));
        assertEquals(-2.5f, HalfFloats.bf16ToFloat((short) 0xc020));
        assertEquals(Float.NEGATIVE_INFINITY, HalfFloats.bf16ToFloat((short) 0xff80));
        for (float f : new float[] {0.15625f, -3.0e30f, 7.0e-20f}) {
            short upper = (short) (Float.floatToRawIntBits(f) >>> 16);
            assertEquals(Float.intBitsToFloat(Float.floatToRawIntBits(f) & 0xffff_0000), HalfFloats.bf16ToFloat(upper));
        }
    }
}
