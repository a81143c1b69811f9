package dev.nbce.worker.decoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.types.DataType;
import dev.nbce.worker.decoder.DecoderOptions.Precision;
import dev.nbce.worker.model.DeviceSpec;
import org.junit.jupiter.api.Test;

/** The compute dtype rule: CPU F32 always; GPU BF16 where supported, F16 only when asked. */
class DecoderOptionsTest {
    private static DecoderOptions with(Precision p) {
        return new DecoderOptions(p, 512);
    }

    @Test
    void cpuIsAlwaysF32() {
        assertEquals(DataType.FLOAT32, with(Precision.AUTO).dtype(false, false));
        assertEquals(DataType.FLOAT32, with(Precision.F32).dtype(false, false));
        assertThrows(IllegalArgumentException.class, () -> with(Precision.F16).dtype(false, false));
        assertThrows(IllegalArgumentException.class, () -> with(Precision.BF16).dtype(false, true));
        assertEquals(DataType.FLOAT32, with(Precision.AUTO).resolve(DeviceSpec.cpu()).dtype());
    }

    @Test
    void gpuPrefersBf16AndUsesF16OnlyWhenAsked() {
        assertEquals(DataType.BFLOAT16, with(Precision.AUTO).dtype(true, true));
        assertEquals(DataType.FLOAT32, with(Precision.AUTO).dtype(true, false), "no BF16 support: F32, never F16 unasked");
        assertEquals(DataType.FLOAT16, with(Precision.F16).dtype(true, true));
        assertEquals(DataType.FLOAT16, with(Precision.F16).dtype(true, false));
        assertEquals(DataType.FLOAT32, with(Precision.F32).dtype(true, true));
        assertEquals(DataType.BFLOAT16, with(Precision.BF16).dtype(true, true));
        assertThrows(IllegalArgumentException.class, () -> with(Precision.BF16).dtype(true, false));
    }

    @Test
    void parsesDtypeAndValidatesChunk() {
        assertEquals(Precision.BF16, Precision.parse("bf16"));
        assertEquals(Precision.F16, Precision.parse(" FLOAT16 "));
        assertEquals(Precision.AUTO, Precision.parse("auto"));
        assertThrows(IllegalArgumentException.class, () -> Precision.parse("int8"));
        assertThrows(IllegalArgumentException.class, () -> new DecoderOptions(Precision.AUTO, 0));
        assertEquals(7, with(Precision.AUTO).withPrefillChunkTokens(7).prefillChunkTokens());
    }
}
