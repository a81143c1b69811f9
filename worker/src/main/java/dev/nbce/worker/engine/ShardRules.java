package dev.nbce.worker.engine;

import dev.nbce.common.constraint.CompilerPool;
import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;
import dev.nbce.common.nbce.StepMask;
import dev.nbce.common.step.LogitRules;
import dev.nbce.structured.ConstraintState;

/**
 * A request's logit rules on this worker (docs/structured-output.md): its logit bias, and where its answer stands
 * in its constraint, advanced by every token the gateway broadcasts. Gives the {@link StepMask} every row of the
 * request is scored through at the current step: the constraint's allowed tokens, plus end-of-sequence where the
 * constraint may end, or end-of-sequence alone where it must. Engine thread only.
 */
final class ShardRules {
    static final ShardRules NONE = new ShardRules(LogitRules.NONE, null, 0);

    private final int[] eosIds;
    private final int[] biasIds;
    private final float[] biasValues;
    private final int vocab;
    /** Words of the allowed-token mask: enough for the model's ids and the tokenizer's. */
    private final int maskWords;
    private ConstraintState state;
    private StepMask mask;

    /**
     * @param compiled the compiled constraint of {@code rules}, or null when it has none
     * @param vocab    the model's vocabulary (its logits' length)
     */
    ShardRules(LogitRules rules, CompilerPool.Compiled compiled, int vocab) {
        this.eosIds = rules.eosIds();
        this.biasIds = rules.biasIds();
        double[] bias = rules.biasValues();
        this.biasValues = new float[bias.length];
        for (int i = 0; i < bias.length; i++) {
            biasValues[i] = (float) bias[i];
            if (biasIds[i] >= vocab) {
                throw new NbceException(ErrorCode.BAD_REQUEST, "logit_bias names token " + biasIds[i]
                        + ", outside the model's vocabulary of " + vocab);
            }
        }
        this.vocab = vocab;
        this.maskWords = (Math.max(vocab, compiled == null ? 0 : compiled.tokens()) + 63) / 64;
        this.state = compiled == null ? null : compiled.constraint().start();
    }

    boolean constrained() {
        return state != null;
    }

    /** The answer so far, e.g. a re-placed row's last tokens: each must be allowed where it came. */
    void advanceAll(int[] tokens) {
        for (int token : tokens) {
            advance(token);
        }
    }

    /** The gateway chose {@code token}; the constraint moves past it. */
    void advance(int token) {
        if (state == null) {
            return;
        }
        if (!state.allows(token)) {
            throw new NbceException(ErrorCode.BAD_REQUEST, "token " + token + " is not allowed by the request's constraint here");
        }
        state = state.advance(token);
        mask = null;
    }

    /** What every row's logits go through at this step. */
    StepMask mask() {
        if (mask == null) {
            mask = new StepMask(state == null ? null : allowed(), biasIds, biasValues);
        }
        return mask;
    }

    private long[] allowed() {
        long[] words = new long[maskWords];
        if (!state.mustEnd()) {
            state.fillAllowed(words);
        }
        for (int id = vocab; id < maskWords * 64; id++) {
            words[id >> 6] &= ~(1L << id); // ids the model cannot produce
        }
        if (state.canEnd() || state.mustEnd()) {
            for (int id : eosIds) {
                if (id < vocab) {
                    words[id >> 6] |= 1L << id;
                }
            }
        }
        for (long w : words) {
            if (w != 0) {
                return words;
            }
        }
        throw new NbceException(ErrorCode.INTERNAL, "the constraint allows no token here (the model has no"
                + " end-of-sequence id it may end with)");
    }
}
