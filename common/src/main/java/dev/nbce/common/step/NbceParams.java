package dev.nbce.common.step;

import dev.nbce.common.error.InvalidRequestException;

/**
 * NBCE's combination parameters.
 *
 * @param beta    weight of the "subtract the no-context row" correction, β ≥ 0
 * @param eta     stickiness bonus for the previously chosen row, η ≥ 0
 * @param pooling min_entropy or average
 * @param selection which windows keep decoding (gateway only, never on the wire); null = all, the reference
 */
public record NbceParams(double beta, double eta, Pooling pooling, Selection selection) {
    public static final NbceParams DEFAULT = new NbceParams(0.25, 0.1, Pooling.MIN_ENTROPY);

    public NbceParams {
        if (!Double.isFinite(beta) || beta < 0 || beta > 100) {
            throw new InvalidRequestException("nbce.beta", "beta must be a number within 0..100, got " + beta);
        }
        if (!Double.isFinite(eta) || eta < 0 || eta > 100) {
            throw new InvalidRequestException("nbce.eta", "eta must be a number within 0..100, got " + eta);
        }
        if (pooling == null) {
            throw new InvalidRequestException("nbce.pooling", "pooling is required");
        }
    }

    /** Every window decodes every step (the reference). */
    public NbceParams(double beta, double eta, Pooling pooling) {
        this(beta, eta, pooling, null);
    }
}
