package dev.nbce.common.step;

import dev.nbce.common.error.InvalidRequestException;

/**
 * A request's parameters of the NBCE step itself (docs/design.md: NBCE steps 1–6), one shape from the
 * request to every worker's reducer: the workers use top_p, η and the pooling, the gateway's
 * combiner the pooling and β.
 *
 * @param topP nucleus of every row, in (0, 1]; 1 disables top-p (and makes vectors dense)
 * @param nbce β, η and the pooling
 */
public record StepParams(double topP, NbceParams nbce) {
    public StepParams {
        if (!Double.isFinite(topP) || topP <= 0 || topP > 1) {
            throw new InvalidRequestException("top_p", "top_p must be within (0, 1], got " + topP);
        }
        if (nbce == null) {
            throw new InvalidRequestException("nbce", "nbce parameters are required");
        }
    }
}
