package dev.nbce.worker.model;

/**
 * Widening of 16-bit floats to F32 in Java. DJL's native layer aborts on BF16 tensors, and
 * {@code Float.float16ToFloat} only exists from Java 20, so both conversions live here.
 */
public final class HalfFloats {
    private HalfFloats() {
    }

    /** bfloat16 is the upper half of an IEEE float: widening is a shift. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** IEEE 754 binary16 to binary32, exact for every input (subnormals, infinities, NaN payloads). */
    public static float f16ToFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) { // infinity or NaN: keep the payload
            return Float.intBitsToFloat(sign | 0x7f80_0000 | (mantissa << 13));
        }
        if (exponent == 0) {
            if (mantissa == 0) {
                return Float.intBitsToFloat(sign);
            }
            // Subnormal half: value = mantissa * 2^-24, exactly representable as a normal float.
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }
}
