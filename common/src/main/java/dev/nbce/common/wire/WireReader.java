package dev.nbce.common.wire;

import dev.nbce.common.nbce.ScoreVector;
import dev.nbce.common.step.Pooling;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/** Reads what {@link WireWriter} wrote, validating lengths against the buffer. */
final class WireReader {
    private final Buffer buffer;
    private int pos;

    WireReader(Buffer buffer, int pos) {
        this.buffer = buffer;
        this.pos = pos;
    }

    int getInt() {
        int v = buffer.getInt(pos);
        pos += 4;
        return v;
    }

    double getDouble() {
        double v = buffer.getDouble(pos);
        pos += 8;
        return v;
    }

    String getString() {
        if (buffer.getInt(pos) == -1) {
            pos += 4;
            return null;
        }
        int n = length(1);
        String s = buffer.getString(pos, pos + n, StandardCharsets.UTF_8.name());
        pos += n;
        return s;
    }

    int[] getInts() {
        int[] values = new int[length(4)];
        for (int i = 0; i < values.length; i++) {
            values[i] = getInt();
        }
        return values;
    }

    double[] getDoubles() {
        double[] values = new double[length(8)];
        for (int i = 0; i < values.length; i++) {
            values[i] = getDouble();
        }
        return values;
    }

    Pooling getPooling() {
        int ordinal = getInt();
        if (ordinal < 0 || ordinal >= Pooling.values().length) {
            throw new IllegalArgumentException("corrupt message: pooling " + ordinal);
        }
        return Pooling.values()[ordinal];
    }

    ScoreVector getScores() {
        byte kind = buffer.getByte(pos++);
        if (kind == WireWriter.ABSENT) {
            return null;
        }
        if (kind < WireWriter.SPARSE_FLOAT || kind > WireWriter.DENSE_DOUBLE) {
            throw new IllegalArgumentException("corrupt message: score vector kind " + kind);
        }
        int vocab = getInt();
        boolean dense = kind == WireWriter.DENSE_FLOAT || kind == WireWriter.DENSE_DOUBLE;
        boolean floats = kind == WireWriter.DENSE_FLOAT || kind == WireWriter.SPARSE_FLOAT;
        int n = length((dense ? 0 : 4) + (floats ? 4 : 8));
        int[] ids = null;
        if (!dense) {
            ids = new int[n];
            for (int i = 0; i < n; i++) {
                ids[i] = getInt();
            }
        }
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            if (floats) {
                values[i] = buffer.getFloat(pos);
                pos += 4;
            } else {
                values[i] = getDouble();
            }
        }
        return new ScoreVector(vocab, ids, values);
    }

    int position() {
        return pos;
    }

    /** A count read from the wire, checked against the bytes left so corrupt input cannot allocate wildly. */
    private int length(int bytesPerItem) {
        int n = getInt();
        if (n < 0 || (long) n * bytesPerItem > buffer.length() - pos) {
            throw new IllegalArgumentException("corrupt message: length " + n + " exceeds the bytes left");
        }
        return n;
    }
}
