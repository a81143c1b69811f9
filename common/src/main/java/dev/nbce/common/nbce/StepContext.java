package dev.nbce.common.nbce;

import dev.nbce.common.request.Pooling;

/**
 * What a worker needs to reduce its rows of one request at one step.
 *
 * @param topP              nucleus of every row, > 0; >= 1 disables top-p (and makes vectors dense)
 * @param eta               stickiness bonus, subtracted from the entropy of {@code previousChosenRow}
 * @param pooling           decides what the shard sends besides its entropies
 * @param previousChosenRow the row chosen at the previous step; -1 at the first step (no bonus)
 */
public record StepContext(double topP, double eta, Pooling pooling, int previousChosenRow) {
    public StepContext {
        if (!(topP > 0) || !Double.isFinite(eta) || eta < 0 || pooling == null || previousChosenRow < -1) {
            throw new IllegalArgumentException("step context: top_p > 0, finite eta >= 0, a pooling and a row >= -1"
                    + " required, got topP=" + topP + " eta=" + eta + " pooling=" + pooling + " row=" + previousChosenRow);
        }
    }
}
