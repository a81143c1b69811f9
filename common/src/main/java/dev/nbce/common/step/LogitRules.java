package dev.nbce.common.step;

import java.util.Arrays;
import java.util.Objects;

/**
 * What every row of a request does to its raw logits before its log-softmax and top-p (docs/structured-output.md):
 * adds OpenAI's logit bias, and removes every token its constraint does not allow here. Sent once, with the rows;
 * each worker compiles the constraint for its own vocabulary and advances it with every broadcast token.
 *
 * @param constraint the constraint's wire form ({@code ConstraintSpec.toJson()}), or null for none
 * @param eosIds     the ids that end the answer: allowed only where the constraint may end, the only ones allowed
 *                   where it must (ignored without a constraint)
 * @param biasIds    token ids, ascending, each with its bias in {@code biasValues}
 * @param biasValues added to the logit of the token at the same index, -100..100
 */
public record LogitRules(String constraint, int[] eosIds, int[] biasIds, double[] biasValues) {
    public static final LogitRules NONE = new LogitRules(null, new int[0], new int[0], new double[0]);

    public LogitRules {
        eosIds = eosIds == null ? new int[0] : eosIds.clone();
        biasIds = biasIds == null ? new int[0] : biasIds.clone();
        biasValues = biasValues == null ? new double[0] : biasValues.clone();
        if (biasIds.length != biasValues.length) {
            throw new IllegalArgumentException("one bias per token id");
        }
        for (int i = 0; i < biasIds.length; i++) {
            if (biasIds[i] < 0 || (i > 0 && biasIds[i] <= biasIds[i - 1])) {
                throw new IllegalArgumentException("bias ids must be ascending token ids");
            }
            if (!(Math.abs(biasValues[i]) <= 100)) {
                throw new IllegalArgumentException("bias must be within -100..100, got " + biasValues[i]);
            }
        }
    }

    /** Nothing to do: rows are scored from their logits as they are. */
    public boolean isNone() {
        return constraint == null && biasIds.length == 0;
    }

    @Override
    public int[] eosIds() {
        return eosIds.clone();
    }

    @Override
    public int[] biasIds() {
        return biasIds.clone();
    }

    @Override
    public double[] biasValues() {
        return biasValues.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogitRules r && Objects.equals(r.constraint, constraint) && Arrays.equals(r.eosIds, eosIds)
                && Arrays.equals(r.biasIds, biasIds) && Arrays.equals(r.biasValues, biasValues);
    }

    @Override
    public int hashCode() {
        return Objects.hash(constraint, Arrays.hashCode(eosIds), Arrays.hashCode(biasIds));
    }

    @Override
    public String toString() {
        return "LogitRules[constraint=" + constraint + ", eos=" + Arrays.toString(eosIds) + ", bias="
                + biasIds.length + " tokens]";
    }
}
