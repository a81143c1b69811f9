package dev.nbce.gateway.prompt;

/** Python's {@code str()} of the scalar values templates build strings from. */
final class PythonValues {

    private PythonValues() {}

    static String str(Object value) {
        if (value == null) {
            return "None";
        }
        if (value instanceof Boolean b) {
            return b ? "True" : "False";
        }
        ContentParts parts = ContentParts.unwrap(value);
        if (parts != null) {
            throw parts.usedAsText();
        }
        return value.toString();
    }
}
