package dev.nbce.gateway.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.nbce.gateway.request.Json;

/** Where a JSON value written so far ends: enough of JSON's grammar to follow a value being generated. */
final class JsonSpan {
    /** The text ends inside the value. */
    static final int INCOMPLETE = -1;
    /** The text is not a JSON value there. */
    static final int MALFORMED = -2;

    private JsonSpan() {}

    /** The index after the value starting at {@code pos}, {@link #INCOMPLETE} or {@link #MALFORMED}. */
    static int end(String text, int pos) {
        int depth = 0;
        int i = pos;
        do {
            if (i >= text.length()) {
                return INCOMPLETE;
            }
            char c = text.charAt(i);
            if (c == '"') {
                i = stringEnd(text, i);
                if (i < 0) {
                    return i;
                }
            } else if (c == '{' || c == '[') {
                depth++;
                i++;
            } else if (c == '}' || c == ']') {
                if (depth == 0) {
                    return MALFORMED;
                }
                depth--;
                i++;
            } else if (depth > 0 && (c == ',' || c == ':' || Character.isWhitespace(c))) {
                i++;
            } else if (c == '-' || c == '+' || c == '.' || Character.isLetterOrDigit(c)) {
                while (i < text.length() && (Character.isLetterOrDigit(text.charAt(i)) || "+-.".indexOf(text.charAt(i)) >= 0)) {
                    i++;
                }
                if (depth == 0 && i >= text.length()) {
                    return INCOMPLETE; // a number or literal may go on
                }
            } else {
                return MALFORMED;
            }
        } while (depth > 0);
        return i;
    }

    /** The index after the string starting at {@code pos} (a '"'), or {@link #INCOMPLETE}. */
    private static int stringEnd(String text, int pos) {
        for (int i = pos + 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i + 1;
            }
        }
        return INCOMPLETE;
    }

    /** The value of the complete JSON string between {@code start} and {@code end}; null when it does not parse. */
    static String string(String text, int start, int end) {
        try {
            return Json.MAPPER.readTree(text.substring(start, end)).asText();
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
