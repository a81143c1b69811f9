package dev.nbce.structured.grammar;

import java.math.BigDecimal;

/** A bounded number in progress: its text so far, kept only while a completion can still satisfy the shape. */
record NumberLexeme(NumberShape shape, String text, int grammarState) implements Lexeme {
    /** No range in practice needs more integer digits than this; beyond it only the bounds decide. */
    private static final int MAX_EXTRA_DIGITS = 40;

    @Override
    public Lexeme next(int b) {
        int g = shape.grammar().next(grammarState, b);
        if (g < 0) {
            return null;
        }
        String t = text + (char) b;
        return viable(t) ? new NumberLexeme(shape, t, g) : null;
    }

    @Override
    public boolean accepting() {
        return shape.grammar().accepting(grammarState) && shape.inRange(new BigDecimal(text));
    }

    @Override
    public boolean canContinue() {
        for (int b = '-'; b <= '9'; b++) {
            if (next(b) != null) {
                return true;
            }
        }
        return false;
    }

    private boolean viable(String t) {
        boolean negative = t.startsWith("-");
        String body = negative ? t.substring(1) : t;
        if (body.isEmpty()) {
            return shape.reachable(true, BigDecimal.ZERO, null);
        }
        int dot = body.indexOf('.');
        if (dot >= 0) {
            String frac = body.substring(dot + 1);
            BigDecimal lo = new BigDecimal(body.substring(0, dot) + "." + (frac.isEmpty() ? "0" : frac));
            BigDecimal step = BigDecimal.ONE.movePointLeft(frac.length());
            return shape.reachable(negative, lo, lo.add(step));
        }
        BigDecimal d = new BigDecimal(body);
        if (body.equals("0")) {
            return shape.reachable(negative, BigDecimal.ZERO, shape.integer ? BigDecimal.ONE.movePointLeft(9) : BigDecimal.ONE);
        }
        for (int k = 0; k <= MAX_EXTRA_DIGITS; k++) {
            BigDecimal lo = d.movePointRight(k);
            BigDecimal hi = d.add(BigDecimal.ONE).movePointRight(k);
            if (shape.reachable(negative, lo, hi)) {
                return true;
            }
            if (!shape.reachable(negative, lo, null)) {
                return false; // everything from here up is beyond the range
            }
        }
        return false;
    }
}
