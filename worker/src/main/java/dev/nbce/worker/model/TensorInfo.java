package dev.nbce.worker.model;

import ai.djl.ndarray.types.Shape;

/**
 * One tensor's entry in a safetensors header.
 *
 * @param dtypeName the header's spelling; {@link #dtype()} is null when it is a type we do not read
 * @param begin first byte, relative to the start of the data section
 * @param end one past the last byte, relative to the start of the data section
 */
public record TensorInfo(String name, String dtypeName, TensorDtype dtype, Shape shape, long begin, long end) {

    public TensorInfo {
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("bad data_offsets [" + begin + ", " + end + "] for " + name);
        }
    }

    public long elements() {
        return shape.size();
    }

    public long byteLength() {
        return end - begin;
    }
}
