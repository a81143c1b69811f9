package dev.nbce.common.step;

import dev.nbce.common.error.InvalidRequestException;

/**
 * Which context windows a request keeps decoding (docs/nbce-modes.md). Opt-in: without one every window
 * decodes every step, as the reference NBCE does. The gateway applies it; workers never see it.
 *
 * @param rule       how windows are ranked
 * @param keep       how many windows stay (at least 1); a request with no more windows than this keeps all
 * @param afterSteps {@link Rule#SALIENCY}: 0, the windows are chosen before any row is prefilled;
 *                   {@link Rule#ENTROPY}: the steps (tokens) whose entropies are summed before the others are dropped
 */
public record Selection(Rule rule, int keep, int afterSteps) {
    /** The largest keep or after_steps accepted; more than the server's window or answer limits means nothing. */
    public static final int MAX = 4096;

    /** How the windows are ranked. */
    public enum Rule {
        /**
         * Before prefill, by how much of the question the window holds: the question's words and adjacent word pairs
         * found in the window's text, each weighted by how rare it is among the request's windows (inverse document
         * frequency).
         */
        SALIENCY("saliency"),
        /** After {@code afterSteps} steps, by the row's entropy summed over those steps (lowest first). */
        ENTROPY("entropy");

        private final String wireName;

        Rule(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        public static Rule fromWireName(String name) {
            for (Rule r : values()) {
                if (r.wireName.equals(name)) {
                    return r;
                }
            }
            throw new InvalidRequestException("nbce.selection.rule", "selection rule must be \"saliency\" or \"entropy\", got \""
                    + name + "\"");
        }
    }

    public Selection {
        if (rule == null) {
            throw new InvalidRequestException("nbce.selection.rule", "selection rule is required (\"saliency\" or \"entropy\")");
        }
        if (keep < 1 || keep > MAX) {
            throw new InvalidRequestException("nbce.selection.keep", "selection keep must be within 1.." + MAX + ", got " + keep);
        }
        if (rule == Rule.SALIENCY && afterSteps != 0) {
            throw new InvalidRequestException("nbce.selection.after_steps", "the saliency rule selects before prefill:"
                    + " after_steps must be 0 or absent, got " + afterSteps);
        }
        if (rule == Rule.ENTROPY && (afterSteps < 1 || afterSteps > MAX)) {
            throw new InvalidRequestException("nbce.selection.after_steps", "the entropy rule needs after_steps within 1.."
                    + MAX + " (the steps whose entropies rank the windows), got " + afterSteps);
        }
    }

    /** The default after_steps of a rule: 0 for saliency, 1 for entropy. */
    public static int defaultAfterSteps(Rule rule) {
        return rule == Rule.ENTROPY ? 1 : 0;
    }
}
