package dev.nbce.structured.grammar;

import java.math.BigDecimal;

/** Numbers as {@code JSON.stringify} writes doubles: integers plainly up to 1e21, exponents beyond. */
public final class JsonNumbers {
    private JsonNumbers() {}

    public static String canonical(BigDecimal v) {
        if (v.signum() == 0) {
            return "0";
        }
        BigDecimal stripped = v.stripTrailingZeros();
        double d = stripped.doubleValue();
        if (stripped.scale() <= 0 && stripped.abs().compareTo(BigDecimal.TEN.pow(21)) < 0) {
            return stripped.toBigInteger().toString();
        }
        if (Double.isFinite(d) && Math.abs(d) >= 1e-6 && Math.abs(d) < 1e21) {
            String plain = stripped.toPlainString();
            return plain;
        }
        // JavaScript's exponent form: 1e+21, 1.5e-7
        String sci = stripped.unscaledValue().abs().toString();
        int exponent = sci.length() - 1 - stripped.scale();
        String mantissa = sci.length() == 1 ? sci : sci.charAt(0) + "." + sci.substring(1);
        return (stripped.signum() < 0 ? "-" : "") + mantissa + "e" + (exponent >= 0 ? "+" : "-") + Math.abs(exponent);
    }

    static boolean isInteger(BigDecimal v) {
        return v.signum() == 0 || v.stripTrailingZeros().scale() <= 0;
    }

}
