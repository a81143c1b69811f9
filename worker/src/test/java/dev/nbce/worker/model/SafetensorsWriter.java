package dev.nbce.worker.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes small safetensors files for tests (F32, or F16/BF16 from raw 16-bit patterns). */
public final class SafetensorsWriter {
    private final ObjectNode header = new ObjectMapper().createObjectNode();
    private final List<byte[]> blobs = new ArrayList<>();
    private long offset;

    public SafetensorsWriter f32(String name, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return raw(name, "F32", shape, b.array());
    }

    public SafetensorsWriter half(String name, String dtype, long[] shape, short[] bits) {
        ByteBuffer b = ByteBuffer.allocate(bits.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short s : bits) {
            b.putShort(s);
        }
        return raw(name, dtype, shape, b.array());
    }

    /** Any dtype string and bytes, consistent or not (for error cases). */
    public SafetensorsWriter raw(String name, String dtype, long[] shape, byte[] data) {
        ObjectNode entry = header.putObject(name);
        entry.put("dtype", dtype);
        var shapeNode = entry.putArray("shape");
        for (long d : shape) {
            shapeNode.add(d);
        }
        entry.putArray("data_offsets").add(offset).add(offset + data.length);
        blobs.add(data);
        offset += data.length;
        return this;
    }

    public Path write(Path file) {
        return write(file, 0);
    }

    /** Writes the file, then cuts {@code dropBytes} off its end (to simulate truncation). */
    public Path write(Path file, int dropBytes) {
        try {
            header.putObject("__metadata__").put("format", "pt");
            byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
            ByteBuffer out = ByteBuffer.allocate((int) (8 + json.length + offset)).order(ByteOrder.LITTLE_ENDIAN);
            out.putLong(json.length).put(json);
            blobs.forEach(out::put);
            byte[] bytes = out.array();
            Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - dropBytes));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
