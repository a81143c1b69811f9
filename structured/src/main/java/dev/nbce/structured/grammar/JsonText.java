package dev.nbce.structured.grammar;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/** JSON text the way {@code JSON.stringify} writes it (compact, keys in their order): the one spelling the matcher accepts. */
public final class JsonText {
    private JsonText() {}

    public static String write(JsonNode value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    /** The inside of a JSON string literal holding {@code s}. */
    public static String stringContent(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2);
        appendContent(s, out);
        return out.toString();
    }

    private static void write(JsonNode v, StringBuilder out) {
        if (v.isObject()) {
            out.append('{');
            Iterator<Map.Entry<String, JsonNode>> fields = v.fields();
            boolean first = true;
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                if (!first) {
                    out.append(',');
                }
                first = false;
                out.append('"');
                appendContent(f.getKey(), out);
                out.append("\":");
                write(f.getValue(), out);
            }
            out.append('}');
        } else if (v.isArray()) {
            out.append('[');
            for (int i = 0; i < v.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(v.get(i), out);
            }
            out.append(']');
        } else if (v.isTextual()) {
            out.append('"');
            appendContent(v.asText(), out);
            out.append('"');
        } else if (v.isBigDecimal() && v.decimalValue().scale() > 0 && JsonNumbers.isInteger(v.decimalValue())) {
            out.append(v.decimalValue().toPlainString()); // read as 1.0: kept so, it is how the value was written
        } else if (v.isNumber()) {
            out.append(JsonNumbers.canonical(v.decimalValue()));
        } else {
            out.append(v.toString()); // true, false, null
        }
    }

    private static void appendContent(String s, StringBuilder out) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\f' -> out.append("\\f");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
    }
}
