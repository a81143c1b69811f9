package dev.nbce.worker.model;

/**
 * How RoPE frequencies are derived, as Hugging Face's {@code modeling_rope_utils.py} resolves a
 * config's {@code rope_parameters} / {@code rope_scaling}. Only the types whose attention scaling is
 * 1 are supported: {@code default}, {@code linear} and {@code llama3}.
 *
 * @param factor               linear and llama3: frequencies of long wavelengths are divided by it
 * @param lowFreqFactor        llama3 only
 * @param highFreqFactor       llama3 only
 * @param originalMaxPositions llama3 only: the context length the base model was trained on
 */
public record RopeScaling(Type type, double theta, double factor, double lowFreqFactor, double highFreqFactor,
                          int originalMaxPositions) {

    public enum Type { DEFAULT, LINEAR, LLAMA3 }

    public RopeScaling {
        if (type == null) {
            throw new IllegalArgumentException("rope type is required");
        }
        if (!(theta > 0)) {
            throw new IllegalArgumentException("rope_theta must be positive, got " + theta);
        }
        if (type != Type.DEFAULT && !(factor > 0)) {
            throw new IllegalArgumentException("rope factor must be positive, got " + factor);
        }
        if (type == Type.LLAMA3 && (!(lowFreqFactor > 0) || !(highFreqFactor > lowFreqFactor)
                || originalMaxPositions <= 0)) {
            throw new IllegalArgumentException("llama3 rope needs 0 < low_freq_factor < high_freq_factor and a positive"
                    + " original_max_position_embeddings, got " + lowFreqFactor + ", " + highFreqFactor + ", "
                    + originalMaxPositions);
        }
    }

    /** Plain RoPE with base {@code theta}. */
    public static RopeScaling plain(double theta) {
        return new RopeScaling(Type.DEFAULT, theta, 1, 0, 0, 0);
    }

    public static RopeScaling linear(double theta, double factor) {
        return new RopeScaling(Type.LINEAR, theta, factor, 0, 0, 0);
    }

    public static RopeScaling llama3(double theta, double factor, double lowFreqFactor, double highFreqFactor,
                                     int originalMaxPositions) {
        return new RopeScaling(Type.LLAMA3, theta, factor, lowFreqFactor, highFreqFactor, originalMaxPositions);
    }
}
