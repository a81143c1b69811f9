package dev.nbce.common.step;

import dev.nbce.common.error.InvalidRequestException;

/** How the context rows' distributions are pooled before the β correction (docs/design.md: NBCE step 5). */
public enum Pooling {
    /** The row with the lowest entropy (after stickiness) speaks: NBCE's default. */
    MIN_ENTROPY("min_entropy"),
    /** The mean of the context rows' log-probs; -inf anywhere stays -inf. */
    AVERAGE("average");

    private final String wireName;

    Pooling(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Pooling fromWireName(String name) {
        for (Pooling p : values()) {
            if (p.wireName.equals(name)) {
                return p;
            }
        }
        throw new InvalidRequestException("nbce.pooling", "pooling must be \"min_entropy\" or \"average\", got \"" + name + "\"");
    }
}
