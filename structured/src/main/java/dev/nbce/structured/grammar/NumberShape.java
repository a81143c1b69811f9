package dev.nbce.structured.grammar;

import dev.nbce.structured.automaton.Budget;
import dev.nbce.structured.automaton.Dfa;
import dev.nbce.structured.automaton.Encoding;
import dev.nbce.structured.regex.RegexCompiler;
import java.math.BigDecimal;

/**
 * A JSON number with JSON Schema's numeric keywords. Without bounds or {@code multipleOf} it is a plain
 * automaton (shared, so its mask cache is too); with them each prefix is kept only while some completion
 * lies in the range, and the end is checked exactly (decimal arithmetic, no rounding).
 */
public final class NumberShape {
    static final Dfa INTEGER = RegexCompiler.fullMatch("-?(0|[1-9][0-9]*)", Encoding.RAW, Budget.unlimited());
    static final Dfa NUMBER = RegexCompiler.fullMatch("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?", Encoding.RAW, Budget.unlimited());
    /** Bounded numbers are written without an exponent (JSON.stringify uses one only below 1e-6 and from 1e21). */
    static final Dfa PLAIN_NUMBER = RegexCompiler.fullMatch("-?(0|[1-9][0-9]*)(\\.[0-9]+)?", Encoding.RAW, Budget.unlimited());

    final boolean integer;
    final BigDecimal min;       // null: none
    final boolean minExclusive;
    final BigDecimal max;       // null: none
    final boolean maxExclusive;
    final BigDecimal multipleOf; // null: none

    public NumberShape(boolean integer, BigDecimal min, boolean minExclusive, BigDecimal max, boolean maxExclusive,
                       BigDecimal multipleOf) {
        this.integer = integer;
        this.min = min;
        this.minExclusive = minExclusive;
        this.max = max;
        this.maxExclusive = maxExclusive;
        this.multipleOf = multipleOf;
    }

    boolean plain() {
        return min == null && max == null && multipleOf == null;
    }

    /** False when no number satisfies the keywords (the range is empty). */
    public boolean satisfiable() {
        if (min == null || max == null) {
            return true;
        }
        int c = min.compareTo(max);
        return c < 0 || (c == 0 && !minExclusive && !maxExclusive);
    }

    public Lexeme start() {
        if (plain()) {
            return DfaLexeme.start(integer ? INTEGER : NUMBER);
        }
        return new NumberLexeme(this, "", 0);
    }

    Dfa grammar() {
        return integer ? INTEGER : PLAIN_NUMBER;
    }

    boolean inRange(BigDecimal v) {
        if (min != null) {
            int c = v.compareTo(min);
            if (c < 0 || (c == 0 && minExclusive)) {
                return false;
            }
        }
        if (max != null) {
            int c = v.compareTo(max);
            if (c > 0 || (c == 0 && maxExclusive)) {
                return false;
            }
        }
        return multipleOf == null || v.remainder(multipleOf).signum() == 0;
    }

    /**
     * Whether some number with magnitude in [lo, hi) (hi null: unbounded) and the given sign lies in the range.
     */
    boolean reachable(boolean negative, BigDecimal lo, BigDecimal hi) {
        // the range in magnitudes
        BigDecimal mMin;
        boolean mMinOpen;
        BigDecimal mMax;
        boolean mMaxOpen;
        if (!negative) {
            mMin = min;
            mMinOpen = minExclusive;
            mMax = max;
            mMaxOpen = maxExclusive;
        } else {
            mMin = max == null ? null : max.negate();
            mMinOpen = maxExclusive;
            mMax = min == null ? null : min.negate();
            mMaxOpen = minExclusive;
        }
        // lower end of the intersection
        BigDecimal lower = lo;
        boolean lowerOpen = false;
        if (mMin != null && mMin.compareTo(lo) >= 0) {
            lowerOpen = mMin.compareTo(lo) == 0 ? mMinOpen : mMinOpen;
            lower = mMin;
        }
        BigDecimal upper = hi;
        boolean upperOpen = true;
        if (mMax != null && (hi == null || mMax.compareTo(hi) < 0)) {
            upper = mMax;
            upperOpen = mMaxOpen;
        }
        if (upper == null) {
            return true;
        }
        int c = lower.compareTo(upper);
        return c < 0 || (c == 0 && !lowerOpen && !upperOpen);
    }
}
