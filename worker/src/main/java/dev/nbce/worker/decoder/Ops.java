package dev.nbce.worker.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;

/**
 * Small pure tensor functions of the decoder. Every result is a step temporary: the receiver of
 * each op is the activation (never a weight), so results belong to the step, not to the weights.
 */
final class Ops {
    private Ops() {
    }

    /** {@code x W^T + b}: {@code [..., in] x [out, in]^T -> [..., out]}; {@code bias} may be null. */
    static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return Linear.linear(x, weight, bias).singletonOrThrow();
    }

    /**
     * RMSNorm as Hugging Face computes it: statistics in F32 whatever the activation dtype, then
     * back to the activation dtype before the weight multiplies.
     */
    static NDArray rmsNorm(NDArray x, NDArray weight, float eps) {
        DataType dtype = x.getDataType();
        NDArray x32 = dtype == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
        // [..., hidden] -> [..., 1]
        NDArray inverseRms = x32.square().mean(new int[] {-1}, true).add(eps).pow(-0.5);
        NDArray normed = x32.mul(inverseRms);
        if (dtype != DataType.FLOAT32) {
            normed = normed.toType(dtype, false);
        }
        return normed.mul(weight);
    }

    /**
     * Row gather, {@code [n, width]} at {@code [m]} int64 indices {@code -> [m, width]} (the engine's
     * embedding lookup, which is exactly this). The result belongs to the index's manager.
     */
    static NDArray gatherRows(NDArray table, NDArray index) {
        return index.getNDArrayInternal().embedding(index, table, SparseFormat.DENSE).singletonOrThrow();
    }

    /** SiLU (swish with beta 1): {@code x * sigmoid(x)}. */
    static NDArray silu(NDArray x) {
        return x.mul(Activation.sigmoid(x));
    }

    /** Softmax over {@code axis} computed in F32 (as HF's eager attention does), returned in x's dtype. */
    static NDArray softmax(NDArray x, int axis) {
        DataType dtype = x.getDataType();
        if (dtype == DataType.FLOAT32) {
            return x.softmax(axis);
        }
        return x.toType(DataType.FLOAT32, false).softmax(axis).toType(dtype, false);
    }
}
