package dev.nbce.worker.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.nbce.worker.model.ModelConfig;
import dev.nbce.worker.model.RopeScaling;

/**
 * Rotary position embedding, Hugging Face convention: frequencies {@code theta^(-2i/d)} for the two
 * halves of each head ({@code rotate_half}), not interleaved pairs. Angles are computed per step from
 * each row's own positions, so rows of any length share one batch and no table bounds the length.
 * Scaled variants ({@code linear}, {@code llama3}) only change the frequencies; their cos/sin
 * attention scaling is 1.
 */
final class Rope {
    private final NDArray inverseFrequencies;

    /** @param manager owns the frequency vector for the decoder's lifetime */
    Rope(ModelConfig config, NDManager manager) {
        inverseFrequencies = manager.create(inverseFrequencies(config.rope(), config.headDim()));
    }

    /**
     * {@code [headDim / 2]} frequencies in F32, as {@code modeling_rope_utils.py} computes them:
     * {@code f_i = 1 / theta^(2i / D)}, then divided by the factor (linear), or per wavelength band
     * (llama3: short wavelengths kept, long ones divided, the band between interpolated).
     */
    static float[] inverseFrequencies(RopeScaling rope, int headDim) {
        float[] inv = new float[headDim / 2];
        for (int i = 0; i < inv.length; i++) {
            // As HF: exponent in F32, 1 / base^exponent.
            float exponent = (float) (2 * i) / (float) headDim;
            inv[i] = scaled(1.0f / (float) Math.pow(rope.theta(), exponent), rope);
        }
        return inv;
    }

    private static float scaled(float f, RopeScaling rope) {
        float factor = (float) rope.factor();
        switch (rope.type()) {
            case LINEAR:
                return f / factor;
            case LLAMA3:
                float original = rope.originalMaxPositions();
                float low = (float) rope.lowFreqFactor();
                float high = (float) rope.highFreqFactor();
                float wavelength = (float) (2 * Math.PI) / f;
                if (wavelength < original / high) {
                    return f;                                   // high frequencies: unchanged
                }
                if (wavelength > original / low) {
                    return f / factor;                          // low frequencies: scaled like linear
                }
                float smooth = (original / wavelength - low) / (high - low);
                return (1 - smooth) * f / factor + smooth * f;  // in between: interpolated
            default:
                return f;
        }
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
