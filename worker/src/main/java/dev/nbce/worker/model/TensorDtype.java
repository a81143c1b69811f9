package dev.nbce.worker.model;

import java.util.Optional;

/** Element types this runtime reads from safetensors; all are widened to F32 before DJL sees them. */
public enum TensorDtype {
    F32(4),
    F16(2),
    BF16(2);

    private final int bytes;

    TensorDtype(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    /** The safetensors header spelling ("F32", "F16", "BF16"); empty for types we do not read. */
    public static Optional<TensorDtype> fromHeader(String name) {
        for (TensorDtype t : values()) {
            if (t.name().equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
