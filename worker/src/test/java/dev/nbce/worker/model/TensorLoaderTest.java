package dev.nbce.worker.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorLoaderTest {
    private static final float[] SIX = {1f, -2f, 0.5f, 3.25f, -0f, 1024f};

    @TempDir
    Path dir;
    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager(ai.djl.Device.cpu(), ComputeDevice.ENGINE);
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    /** Every value in SIX is exact in F16 and BF16, so all three dtypes must load to the same floats. */
    private static short[] halfBits(String dtype) {
        short[] bits = new short[SIX.length];
        for (int i = 0; i < SIX.length; i++) {
            int f = Float.floatToRawIntBits(SIX[i]);
            bits[i] = dtype.equals("BF16") ? (short) (f >>> 16) : toF16(SIX[i]);
        }
        return bits;
    }

    /** Exact F16 encoding for the normal values used here (and zeros). */
    private static short toF16(float v) {
        int f = Float.floatToRawIntBits(v);
        int sign = (f >>> 16) & 0x8000;
        if ((f & 0x7fff_ffff) == 0) {
            return (short) sign;
        }
        int exponent = ((f >>> 23) & 0xff) - 127 + 15;
        return (short) (sign | (exponent << 10) | ((f >>> 13) & 0x3ff));
    }

    private TensorLoader loader(Path modelDir, long chunkBytes) {
        return new TensorLoader(SafetensorsCheckpoint.open(modelDir), manager, ComputeDevice.cpu(), chunkBytes);
    }

    @Test
    void loadsF32F16AndBf16AsFloat32() {
        new SafetensorsWriter()
                .f32("a", new long[] {2, 3}, SIX)
                .half("b", "F16", new long[] {2, 3}, halfBits("F16"))
                .half("c", "BF16", new long[] {2, 3}, halfBits("BF16"))
                .write(dir.resolve("model.safetensors"));
        TensorLoader loader = loader(dir, TensorLoader.DEFAULT_CHUNK_BYTES);
        for (String name : new String[] {"a", "b", "c"}) {
            NDArray array = loader.load(name, new Shape(2, 3));
            assertEquals(DataType.FLOAT32, array.getDataType());
            assertArrayEquals(SIX, array.toFloatArray(), name);
        }
    }

    @Test
    void largeTensorsAreFilledSlabBySlab() {
        float[] values = new float[5 * 3];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.5f - 3;
        }
        short[] bf16 = new short[values.length];
        for (int i = 0; i < values.length; i++) {
            bf16[i] = (short) (Float.floatToRawIntBits(values[i]) >>> 16);
        }
        new SafetensorsWriter()
                .f32("f", new long[] {5, 3}, values)
                .half("h", "BF16", new long[] {5, 3}, bf16)
                .write(dir.resolve("model.safetensors"));
        // 24 bytes per slab: 2 rows of 3 floats, so 3 slabs, the last one partial.
        TensorLoader loader = loader(dir, 24);
        assertArrayEquals(values, loader.load("f", new Shape(5, 3)).toFloatArray());
        assertArrayEquals(values, loader.load("h", new Shape(5, 3)).toFloatArray());
    }

    @Test
    void loadedArraysOwnTheirMemory() {
        new SafetensorsWriter()
                .half("x", "BF16", new long[] {6}, halfBits("BF16"))
                .half("y", "BF16", new long[] {6}, new short[] {0x3f80, 0x3f80, 0x3f80, 0x3f80, 0x3f80, 0x3f80})
                .write(dir.resolve("model.safetensors"));
        TensorLoader loader = loader(dir, TensorLoader.DEFAULT_CHUNK_BYTES);
        NDArray x = loader.load("x", new Shape(6));
        loader.load("y", new Shape(6)); // reuses the conversion scratch
        assertArrayEquals(SIX, x.toFloatArray(), "x must not alias the reused scratch buffer");
    }

    @Test
    void shardedCheckpointFollowsTheIndex() throws Exception {
        new SafetensorsWriter().f32("a", new long[] {6}, SIX).write(dir.resolve("model-00001-of-00002.safetensors"));
        new SafetensorsWriter().f32("b", new long[] {1}, new float[] {7f}).write(dir.resolve("model-00002-of-00002.safetensors"));
        Files.writeString(dir.resolve(SafetensorsCheckpoint.INDEX_FILE), """
                {"metadata": {"total_size": 28}, "weight_map": {
                  "a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}
                """);
        try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(dir)) {
            TensorLoader loader = new TensorLoader(checkpoint, manager, ComputeDevice.cpu());
            assertArrayEquals(SIX, loader.load("a", new Shape(6)).toFloatArray());
            assertArrayEquals(new float[] {7f}, loader.load("b", new Shape(1)).toFloatArray());
            assertTrue(checkpoint.locate("b").file().path().endsWith("model-00002-of-00002.safetensors"));
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> loader.load("c", new Shape(1)));
            assertTrue(e.getMessage().contains(SafetensorsCheckpoint.INDEX_FILE) && e.getMessage().contains("'c'"),
                    e.getMessage());
        }
    }

    @Test
    void missingTensorNamesFileAndTensor() {
        new SafetensorsWriter().f32("a", new long[] {6}, SIX).write(dir.resolve("model.safetensors"));
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> loader(dir, 1024).load("model.norm.weight", new Shape(6)));
        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
        assertTrue(e.getMessage().contains("model.norm.weight"), e.getMessage());
    }

    @Test
    void wrongShapeNamesExpectedAndActual() {
        new SafetensorsWriter().f32("a", new long[] {2, 3}, SIX).write(dir.resolve("model.safetensors"));
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> loader(dir, 1024).load("a", new Shape(3, 2)));
        assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("'a'"), e.getMessage());
        assertTrue(e.getMessage().contains("(2, 3)") && e.getMessage().contains("(3, 2)"), e.getMessage());
    }

    @Test
    void truncatedFileIsRejectedOnOpenNamingTheTensor() {
        Path file = new SafetensorsWriter()
                .f32("first", new long[] {6}, SIX)
                .f32("second", new long[] {6}, SIX)
                .write(dir.resolve("model.safetensors"), 4);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafetensorsFile.open(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("'second'"), e.getMessage());
    }

    @Test
    void corruptHeaderLengthIsRejected() throws Exception {
        Path file = dir.resolve("model.safetensors");
        Files.write(file, new byte[] {(byte) 0xff, (byte) 0xff, 0, 0, 0, 0, 0, 0, '{', '}'});
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafetensorsFile.open(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void byteCountMustMatchShapeAndUnsupportedDtypeIsNamed() {
        Path bad = new SafetensorsWriter().raw("a", "F32", new long[] {2, 2}, new byte[12]).write(dir.resolve("bad.safetensors"));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafetensorsFile.open(bad));
        assertTrue(e.getMessage().contains("'a'") && e.getMessage().contains("12 bytes"), e.getMessage());

        new SafetensorsWriter().raw("ids", "I64", new long[] {2}, new byte[16]).write(dir.resolve("model.safetensors"));
        TensorLoader loader = loader(dir, 1024);
        assertTrue(loader.contains("ids"));
        assertFalse(loader.contains("nothing"));
        e = assertThrows(ModelFormatException.class, () -> loader.load("ids", new Shape(2)));
        assertTrue(e.getMessage().contains("I64") && e.getMessage().contains("'ids'"), e.getMessage());
    }
}
