package dev.nbce.worker.model;

import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One safetensors file: an 8-byte little-endian header length, a JSON header (dtype, shape,
 * data_offsets per tensor) and the raw data section. The header is parsed and validated against
 * the file size on open; tensor bytes are memory-mapped on demand, one element range at a time,
 * so files and tensors larger than a single 2 GiB mapping are fine and nothing lands on the heap.
 */
public final class SafetensorsFile implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Real headers are kilobytes; anything near this is a corrupt length field. */
    private static final long MAX_HEADER_BYTES = 100L << 20;
    /** Elements converted per bulk get/put: small heap scratch, reused for a whole range. */
    private static final int CONVERT_BLOCK = 8192;

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    /** Conversion scratch, reused across reads (reads are single-threaded during a load). */
    private final short[] halfBlock = new short[CONVERT_BLOCK];
    private final float[] floatBlock = new float[CONVERT_BLOCK];

    private SafetensorsFile(Path path, FileChannel channel, long dataStart, Map<String, TensorInfo> tensors) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
    }

    public static SafetensorsFile open(Path path) {
        FileChannel channel = null;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
            long size = channel.size();
            if (size < 8) {
                throw new ModelFormatException(path + ": truncated (" + size + " bytes, no header length)");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.getLong(0);
            if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES || 8 + headerLength > size) {
                throw new ModelFormatException(path + ": invalid or truncated header (length field "
                        + headerLength + ", file size " + size + ")");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(channel, header, 8);
            long dataStart = 8 + headerLength;
            Map<String, TensorInfo> tensors = parseHeader(path, header.array(), size - dataStart);
            return new SafetensorsFile(path, channel, dataStart, tensors);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new ModelFormatException("cannot read " + path + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    /** Tensor entries by name, in header order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new ModelFormatException(path + ": missing tensor '" + name + "'");
        }
        return info;
    }

    /**
     * Maps {@code count} elements of a tensor, starting at element {@code first}, as a read-only
     * little-endian direct buffer (valid while this file is open; at most 2 GiB).
     */
    public ByteBuffer map(TensorInfo info, long first, long count) throws IOException {
        int bpe = dtypeOf(info).bytes();
        if (first < 0 || count < 0 || first + count > info.elements()) {
            throw new IndexOutOfBoundsException("elements [" + first + ", " + (first + count)
                    + ") of tensor '" + info.name() + "' with " + info.elements() + " elements");
        }
        long bytes = count * bpe;
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("cannot map more than 2 GiB at once: " + bytes + " bytes");
        }
        long offset = dataStart + info.begin() + first * bpe;
        return channel.map(FileChannel.MapMode.READ_ONLY, offset, bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Widens {@code count} elements of a tensor, starting at element {@code first}, to F32 and writes
     * them into {@code target} at its position (which advances). The target may be off-heap: only a
     * small, reused conversion block touches the Java heap. Not thread-safe.
     */
    public void readAsFloat32(TensorInfo info, long first, int count, FloatBuffer target) throws IOException {
        TensorDtype dtype = dtypeOf(info);
        ByteBuffer source = map(info, first, count);
        if (dtype == TensorDtype.F32) {
            target.put(source.asFloatBuffer());
            return;
        }
        ShortBuffer halves = source.asShortBuffer();
        short[] in = halfBlock;
        float[] out = floatBlock;
        for (int done = 0; done < count; ) {
            int n = Math.min(in.length, count - done);
            halves.get(in, 0, n);
            if (dtype == TensorDtype.BF16) {
                for (int i = 0; i < n; i++) {
                    out[i] = HalfFloats.bf16ToFloat(in[i]);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    out[i] = HalfFloats.f16ToFloat(in[i]);
                }
            }
            target.put(out, 0, n);
            done += n;
        }
    }

    private TensorDtype dtypeOf(TensorInfo info) {
        if (info.dtype() == null) {
            throw new ModelFormatException(path + ": tensor '" + info.name() + "' has dtype "
                    + info.dtypeName() + " (supported: F32, F16, BF16)");
        }
        return info.dtype();
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static Map<String, TensorInfo> parseHeader(Path path, byte[] header, long dataBytes) {
        JsonNode root;
        try {
            root = JSON.readTree(header);
        } catch (IOException e) {
            throw new ModelFormatException(path + ": invalid safetensors header JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelFormatException(path + ": safetensors header is not a JSON object");
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (entry.getKey().equals("__metadata__")) {
                continue;
            }
            TensorInfo info = parseEntry(path, entry.getKey(), entry.getValue());
            if (info.end() > dataBytes) {
                throw new ModelFormatException(path + ": truncated: tensor '" + info.name()
                        + "' needs data bytes [" + info.begin() + ", " + info.end()
                        + ") but the data section holds only " + dataBytes + " bytes");
            }
            tensors.put(info.name(), info);
        }
        return Collections.unmodifiableMap(tensors);
    }

    private static TensorInfo parseEntry(Path path, String name, JsonNode node) {
        JsonNode shapeNode = node.path("shape");
        JsonNode offsets = node.path("data_offsets");
        String dtypeName = node.path("dtype").asText("");
        if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2 || dtypeName.isEmpty()) {
            throw new ModelFormatException(path + ": malformed header entry for tensor '" + name + "'");
        }
        long[] dims = new long[shapeNode.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shapeNode.get(i).asLong(-1);
            if (dims[i] < 0) {
                throw new ModelFormatException(path + ": tensor '" + name + "' has a negative dimension");
            }
        }
        TensorInfo info;
        try {
            info = new TensorInfo(name, dtypeName, TensorDtype.fromHeader(dtypeName).orElse(null),
                    new Shape(dims), offsets.get(0).asLong(), offsets.get(1).asLong());
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(path + ": " + e.getMessage(), e);
        }
        if (info.dtype() != null && info.byteLength() != info.elements() * info.dtype().bytes()) {
            throw new ModelFormatException(path + ": tensor '" + name + "' holds " + info.byteLength()
                    + " bytes but shape " + info.shape() + " of " + dtypeName + " needs "
                    + info.elements() * info.dtype().bytes());
        }
        return info;
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing useful to do: the file was only read
            }
        }
    }
}
