package dev.nbce.common.wire;

import dev.nbce.common.nbce.ScoreVector;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/** Appends protocol values to a Buffer; {@link WireReader} reads them back in the same order. */
final class WireWriter {
    static final byte ABSENT = 0;
    static final byte SPARSE_FLOAT = 1;
    static final byte SPARSE_DOUBLE = 2;
    static final byte DENSE_FLOAT = 3;
    static final byte DENSE_DOUBLE = 4;

    private final Buffer buffer;

    WireWriter(Buffer buffer) {
        this.buffer = buffer;
    }

    WireWriter putInt(int v) {
        buffer.appendInt(v);
        return this;
    }

    WireWriter putDouble(double v) {
        buffer.appendDouble(v);
        return this;
    }

    /** UTF-8 with a length prefix; null is length -1. */
    WireWriter putString(String s) {
        if (s == null) {
            buffer.appendInt(-1);
            return this;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        buffer.appendInt(bytes.length).appendBytes(bytes);
        return this;
    }

    WireWriter putInts(int[] values) {
        buffer.appendInt(values.length);
        for (int v : values) {
            buffer.appendInt(v);
        }
        return this;
    }

    WireWriter putDoubles(double[] values) {
        buffer.appendInt(values.length);
        for (double v : values) {
            buffer.appendDouble(v);
        }
        return this;
    }

    /**
     * A score vector, as floats when every value is exactly a float (single rows always are: they
     * are widened floats), so the encoding halves without losing a bit.
     */
    WireWriter putScores(ScoreVector v) {
        if (v == null) {
            buffer.appendByte(ABSENT);
            return this;
        }
        boolean floats = allFloats(v.values());
        byte kind = v.dense() ? (floats ? DENSE_FLOAT : DENSE_DOUBLE) : (floats ? SPARSE_FLOAT : SPARSE_DOUBLE);
        buffer.appendByte(kind).appendInt(v.vocabSize()).appendInt(v.size());
        if (!v.dense()) {
            for (int id : v.ids()) {
                buffer.appendInt(id);
            }
        }
        for (double value : v.values()) {
            if (floats) {
                buffer.appendFloat((float) value);
            } else {
                buffer.appendDouble(value);
            }
        }
        return this;
    }

    private static boolean allFloats(double[] values) {
        for (double value : values) {
            if ((double) (float) value != value && !Double.isNaN(value)) {
                return false;
            }
        }
        return true;
    }
}
