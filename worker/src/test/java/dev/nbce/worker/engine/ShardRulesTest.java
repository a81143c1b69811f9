package dev.nbce.worker.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.common.constraint.CompilerPool;
import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;
import dev.nbce.common.nbce.StepMask;
import dev.nbce.common.step.LogitRules;
import dev.nbce.structured.ConstraintSpec;
import dev.nbce.structured.ConstraintState;
import dev.nbce.structured.TokenConstraint;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A request's rules on a worker: the constraint's state as the tokens come, and the mask of each step. */
class ShardRulesTest {
    private static final int VOCAB = 100;
    private static final int EOS = 2;

    /** Ids 10..19 are the digits "0".."9": one to three of them, then the end. */
    private record Digits(int count) implements ConstraintState {
        @Override
        public void fillAllowed(long[] mask) {
            java.util.Arrays.fill(mask, 0);
            if (count < 3) {
                IntStream.range(10, 20).forEach(id -> mask[id >> 6] |= 1L << id);
            }
        }

        @Override
        public boolean canEnd() {
            return count >= 1;
        }

        @Override
        public boolean mustEnd() {
            return count == 3;
        }

        @Override
        public ConstraintState advance(int tokenId) {
            if (!allows(tokenId)) {
                throw new IllegalArgumentException("not allowed: " + tokenId);
            }
            return new Digits(count + 1);
        }

        @Override
        public boolean allows(int tokenId) {
            return count < 3 && tokenId >= 10 && tokenId < 20;
        }
    }

    static final CompilerPool.Compiled DIGITS = new CompilerPool.Compiled(new TokenConstraint() {
        @Override
        public ConstraintState start() {
            return new Digits(0);
        }

        @Override
        public ConstraintSpec spec() {
            return new ConstraintSpec.Regex("[0-9]{1,3}");
        }
    }, 90);

    private static ShardRules rules(int[] biasIds, double[] bias) {
        return new ShardRules(new LogitRules(DIGITS.constraint().spec().toJson(), new int[] {EOS}, biasIds, bias), DIGITS, VOCAB);
    }

    private static int[] allowed(StepMask mask) {
        return IntStream.range(0, VOCAB + 64).filter(mask::allows).toArray();
    }

    @Test
    void endOfSequenceIsAllowedWhereTheConstraintMayEndAndAloneWhereItMust() {
        ShardRules rules = rules(new int[0], new double[0]);
        assertEquals(IntStream.range(10, 20).boxed().toList(), IntStream.of(allowed(rules.mask())).boxed().toList(),
                "nothing yet: a digit, no EOS");
        rules.advance(13);
        assertTrue(IntStream.of(allowed(rules.mask())).anyMatch(id -> id == EOS), "one digit: EOS or another digit");
        assertEquals(11, allowed(rules.mask()).length);
        rules.advanceAll(new int[] {14, 15});
        assertEquals(1, allowed(rules.mask()).length);
        assertEquals(EOS, allowed(rules.mask())[0], "three digits: EOS alone");
    }

    @Test
    void aTokenTheConstraintRefusesIsABadRequestAndLeavesTheStateAsItWas() {
        ShardRules rules = rules(new int[0], new double[0]);
        NbceException e = assertThrows(NbceException.class, () -> rules.advance(42));
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
        rules.advance(10);
        assertTrue(rules.mask().allows(EOS));
    }

    @Test
    void theBiasTravelsWithTheMaskAndMustNameTheModelsTokens() {
        StepMask mask = rules(new int[] {11, 50}, new double[] {2.5, -100}).mask();
        assertEquals(2, mask.biasIds().length);
        assertEquals(2.5f, mask.biasValues()[0]);
        assertFalse(mask.allows(50), "a bias does not allow what the constraint refuses");
        assertThrows(NbceException.class, () -> rules(new int[] {VOCAB}, new double[] {1}));
        StepMask biasOnly = new ShardRules(new LogitRules(null, new int[] {EOS}, new int[] {7}, new double[] {1}), null, VOCAB).mask();
        assertTrue(biasOnly.allows(99) && biasOnly.allowed() == null, "no constraint: every token, biased");
    }
}
