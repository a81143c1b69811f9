package dev.nbce.worker.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.nbce.worker.model.ModelConfig;

/**
 * Rotary position embedding, Hugging Face convention: frequencies {@code theta^(-2i/d)} for the two
 * halves of each head ({@code rotate_half}), not interleaved pairs. Angles are computed per step from
 * each row's own positions, so rows of any length share one batch and no table bounds the length.
 */
final class Rope {
    private final NDArray inverseFrequencies;

    /** @param manager owns the frequency vector for the decoder's lifetime */
    Rope(ModelConfig config, NDManager manager) {
        int half = config.headDim() / 2;
        float[] inv = new float[half];
        for (int i = 0; i < half; i++) {
            // As HF: exponent in F32, 1 / base^exponent.
            float exponent = (float) (2 * i) / (float) config.headDim();
            inv[i] = 1.0f / (float) Math.pow(config.ropeTheta(), exponent);
        }
        inverseFrequencies = manager.create(inv);
    }

    /**
     * cos and sin of the rotation angles for {@code positions} {@code [tokens]} (F32), each
     * {@code [tokens, 1, headDim]} in {@code dtype}, broadcastable over heads.
     */
    NDList angles(NDArray positions, DataType dtype) {
        // [tokens, 1] * [headDim/2] -> [tokens, headDim/2]
        NDArray frequencies = positions.expandDims(1).mul(inverseFrequencies);
        // Both halves rotate by the same angles: [tokens, headDim] -> [tokens, 1, headDim]
        NDArray angles = frequencies.concat(frequencies, 1).expandDims(1);
        return new NDList(angles.cos().toType(dtype, false), angles.sin().toType(dtype, false));
    }

    /** {@code x * cos + rotate_half(x) * sin} for {@code x} {@code [tokens, heads, headDim]}. */
    static NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        NDList halves = x.split(2, 2);
        // rotate_half: [x1, x2] -> [-x2, x1]
        NDArray rotated = halves.get(1).neg().concat(halves.get(0), 2);
        return x.mul(cos).add(rotated.mul(sin));
    }
}
