package dev.nbce.worker.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Moves one attention group's per-token tensors between the packed layout {@code [tokens, ...]}
 * (per-token math) and the padded layout {@code [members, q, ...]} (attention); see
 * {@link AttentionGroup}. For a rectangular group both are the same memory and the moves are reshapes.
 */
final class Layouts {
    private final AttentionGroup group;
    private final NDArray paddedFromPacked;
    private final NDArray packedFromPadded;

    Layouts(AttentionGroup group, NDManager step) {
        this.group = group;
        boolean same = group.rectangular();
        this.paddedFromPacked = same ? null : step.create(group.paddedFromPacked());
        this.packedFromPadded = same ? null : step.create(group.packedFromPadded());
    }

    /** {@code [tokens, ...rest] -> [members, q, ...rest]} */
    NDArray padded(NDArray packed) {
        Shape rest = packed.getShape().slice(1);
        Shape target = new Shape(group.size(), group.q).addAll(rest);
        if (paddedFromPacked == null) {
            return packed.reshape(target);
        }
        // [tokens, width] at [members * q] -> [members * q, width]
        return Ops.gatherRows(packed.reshape(group.tokens, rest.size()), paddedFromPacked).reshape(target);
    }

    /** {@code [members, q, ...rest] -> [tokens, ...rest]} */
    NDArray packed(NDArray padded) {
        Shape rest = padded.getShape().slice(2);
        Shape target = new Shape(group.tokens).addAll(rest);
        if (packedFromPadded == null) {
            return padded.reshape(target);
        }
        // [members * q, width] at [tokens] -> [tokens, width]
        return Ops.gatherRows(padded.reshape((long) group.size() * group.q, rest.size()), packedFromPadded)
                .reshape(target);
    }
}
