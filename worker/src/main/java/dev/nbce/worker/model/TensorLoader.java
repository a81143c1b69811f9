package dev.nbce.worker.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Turns checkpoint tensors into NDArrays on the compute device, in the compute dtype.
 *
 * <p>Bytes go from the memory-mapped file to native memory without a Java-heap copy: F32 tensors
 * are handed to the engine straight from the mapping, F16/BF16 are widened into one reusable
 * off-heap scratch buffer. Either way the engine first sees an F32 array aliasing that memory
 * (never BF16, which aborts DJL's native layer), and we copy it into memory the engine owns before
 * the scratch is reused. Tensors larger than {@code chunkBytes} (as F32) are filled in slabs of
 * whole rows, which keeps every mapping and the scratch bounded. On a GPU the F32 copy is cast to
 * F16 on the device.
 *
 * <p>Not thread-safe; one loader serves one load.
 */
public final class TensorLoader {
    /** Bounds the off-heap scratch; it counts against the JVM's direct-memory limit (= -Xmx by default). */
    public static final long DEFAULT_CHUNK_BYTES = 64L << 20;

    private final SafetensorsCheckpoint checkpoint;
    private final NDManager manager;
    private final ComputeDevice device;
    private final long chunkBytes;
    private ByteBuffer scratch;

    /** @param manager owns the loaded arrays; must be on {@code device.device()} */
    public TensorLoader(SafetensorsCheckpoint checkpoint, NDManager manager, ComputeDevice device) {
        this(checkpoint, manager, device, DEFAULT_CHUNK_BYTES);
    }

    TensorLoader(SafetensorsCheckpoint checkpoint, NDManager manager, ComputeDevice device, long chunkBytes) {
        if (chunkBytes < Float.BYTES || chunkBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("chunkBytes out of range: " + chunkBytes);
        }
        this.checkpoint = checkpoint;
        this.manager = manager;
        this.device = device;
        this.chunkBytes = chunkBytes;
    }

    public boolean contains(String name) {
        return checkpoint.contains(name);
    }

    /** Loads a tensor that must have exactly the {@code expected} shape. */
    public NDArray load(String name, Shape expected) {
        SafetensorsCheckpoint.Located located = checkpoint.locate(name);
        TensorInfo info = located.info();
        if (!info.shape().equals(expected)) {
            throw new ModelFormatException(located.file().path() + ": tensor '" + name + "' has shape "
                    + info.shape() + ", expected " + expected);
        }
        try {
            NDArray f32 = readF32(located.file(), info);
            if (device.dtype() == DataType.FLOAT32) {
                return f32;
            }
            NDArray cast = f32.toType(device.dtype(), false);
            f32.close();
            return cast;
        } catch (IOException e) {
            throw new ModelFormatException(located.file().path() + ": cannot read tensor '" + name
                    + "': " + e.getMessage(), e);
        }
    }

    private NDArray readF32(SafetensorsFile file, TensorInfo info) throws IOException {
        Shape shape = info.shape();
        long elements = info.elements();
        if (elements * Float.BYTES <= chunkBytes || shape.dimension() == 0) {
            return owned(slab(file, info, 0, elements, shape));
        }
        // Too big for one slab: fill an engine-owned array slab by slab (whole rows of axis 0).
        long rowElements = elements / shape.get(0);
        long rowsPerSlab = Math.max(1, chunkBytes / Float.BYTES / rowElements);
        NDArray target = manager.create(shape, DataType.FLOAT32);
        try {
            for (long row = 0; row < shape.get(0); row += rowsPerSlab) {
                long rows = Math.min(rowsPerSlab, shape.get(0) - row);
                Shape slabShape = new Shape(rows).addAll(shape.slice(1));
                try (NDArray slab = slab(file, info, row * rowElements, rows * rowElements, slabShape)) {
                    target.set(new NDIndex().addSliceDim(row, row + rows), slab);
                }
            }
            return target;
        } catch (IOException | RuntimeException e) {
            target.close();
            throw e;
        }
    }

    /** An F32 array over {@code count} elements; on the CPU it aliases the mapping or the scratch. */
    private NDArray slab(SafetensorsFile file, TensorInfo info, long first, long count, Shape shape)
            throws IOException {
        if (count * Float.BYTES > Integer.MAX_VALUE) {
            throw new ModelFormatException(file.path() + ": tensor '" + info.name()
                    + "' has rows larger than 2 GiB; cannot load it");
        }
        if (info.dtype() == TensorDtype.F32) {
            return manager.create(file.map(info, first, count), shape, DataType.FLOAT32);
        }
        ByteBuffer buffer = scratch(count * Float.BYTES);
        file.readAsFloat32(info, first, (int) count, buffer.asFloatBuffer());
        return manager.create(buffer, shape, DataType.FLOAT32);
    }

    /** On the CPU the engine wraps our buffer without copying; copy it before the buffer is reused. */
    private NDArray owned(NDArray maybeAliased) {
        if (!maybeAliased.getDevice().isGpu()) {
            NDArray copy = maybeAliased.duplicate();
            maybeAliased.close();
            return copy;
        }
        return maybeAliased;
    }

    /** A native-order direct buffer of exactly {@code bytes}, positioned at 0 (the engine reads from its base). */
    private ByteBuffer scratch(long bytes) {
        if (scratch == null || scratch.capacity() < bytes) {
            long capacity = Math.max(bytes, Math.min(chunkBytes, Long.highestOneBit(bytes) << 1));
            scratch = ByteBuffer.allocateDirect((int) capacity).order(ByteOrder.nativeOrder());
        }
        return scratch.duplicate().order(ByteOrder.nativeOrder()).clear().limit((int) bytes);
    }
}
