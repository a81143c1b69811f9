package dev.nbce.launcher.config;

/**
 * What values one setting takes: its type, unit, default and range.
 *
 * @param type         how the text is read
 * @param unit         what an integer counts ("bytes", "ms"), or null
 * @param defaultValue the value when the variable is absent or blank, as text; null: none (see defaultText)
 * @param defaultText  how the docs show the default (a derived default is described, not computed)
 * @param min          smallest integer accepted
 * @param max          largest integer accepted
 */
public record Spec(Type type, String unit, String defaultValue, String defaultText, long min, long max) {
    /** How a value is read. */
    public enum Type { INTEGER, PORT, FRACTION, BOOLEAN, TEXT, LIST, PATH, FLAG }

    static Spec integer(int fallback, int min) {
        return new Spec(Type.INTEGER, null, Integer.toString(fallback), Integer.toString(fallback), min, Integer.MAX_VALUE);
    }

    /** An int counting {@code unit}, at least {@code min}. */
    static Spec count(String unit, int fallback, int min) {
        return new Spec(Type.INTEGER, unit, Integer.toString(fallback), Integer.toString(fallback), min, Integer.MAX_VALUE);
    }

    /** A long counting {@code unit}, at least {@code min}. */
    static Spec longCount(String unit, long fallback, long min) {
        return new Spec(Type.INTEGER, unit, Long.toString(fallback), Long.toString(fallback), min, Long.MAX_VALUE);
    }

    /** A long counting {@code unit}, at least {@code min}, whose default depends on the machine or model. */
    static Spec longCount(String unit, String derivedDefault, long min) {
        return new Spec(Type.INTEGER, unit, null, derivedDefault, min, Long.MAX_VALUE);
    }

    static Spec port(int fallback, int min) {
        return new Spec(Type.PORT, null, Integer.toString(fallback), Integer.toString(fallback), min, 65535);
    }

    static Spec port(String derivedDefault) {
        return new Spec(Type.PORT, null, null, derivedDefault, 0, 65535);
    }

    static Spec fraction(double fallback) {
        return new Spec(Type.FRACTION, null, Double.toString(fallback), Double.toString(fallback), 0, 1);
    }

    static Spec bool(boolean fallback) {
        return new Spec(Type.BOOLEAN, null, Boolean.toString(fallback), Boolean.toString(fallback), 0, 1);
    }

    static Spec text(String fallback) {
        return new Spec(Type.TEXT, null, fallback, fallback, 0, 0);
    }

    static Spec text(String fallback, String shownDefault) {
        return new Spec(Type.TEXT, null, fallback, shownDefault, 0, 0);
    }

    /** Comma-separated; blank entries are dropped. */
    static Spec list(String fallback, String shownDefault) {
        return new Spec(Type.LIST, null, fallback, shownDefault, 0, 0);
    }

    static Spec path(String shownDefault) {
        return new Spec(Type.PATH, null, null, shownDefault, 0, 0);
    }

    /** On when set to anything. */
    static Spec flag() {
        return new Spec(Type.FLAG, null, null, "unset", 0, 0);
    }

    /** What a valid value is, for errors: "a positive number of bytes", "an integer >= 128", "a port number 0..65535". */
    String expected() {
        return switch (type) {
            case INTEGER -> {
                boolean positive = min == 1 && unbounded();
                String what = unit == null ? (positive ? "a positive integer" : "an integer")
                        : (positive ? "a positive number of " : "a number of ") + unit;
                yield positive || range().isEmpty() ? what : what + " " + range();
            }
            case PORT -> "a port number " + range();
            case FRACTION -> "a fraction in " + range();
            case BOOLEAN -> "true or false";
            default -> "text";
        };
    }

    /** The accepted values as the docs show them: "0..65535", ">= 1", "(0, 1]"; empty when anything goes. */
    String range() {
        return switch (type) {
            case INTEGER -> unbounded() ? (min == Integer.MIN_VALUE || min == Long.MIN_VALUE ? "" : ">= " + min)
                    : min + ".." + max;
            case PORT -> min + ".." + max;
            case FRACTION -> "(0, 1]";
            case BOOLEAN -> "true, false";
            default -> "";
        };
    }

    private boolean unbounded() {
        return max == Integer.MAX_VALUE || max == Long.MAX_VALUE;
    }
}
