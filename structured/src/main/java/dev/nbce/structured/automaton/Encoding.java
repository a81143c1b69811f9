package dev.nbce.structured.automaton;

import java.util.ArrayList;
import java.util.List;

/**
 * How a code point becomes bytes on an automaton edge: as itself in UTF-8 ({@link #RAW}, for free text), or as
 * it appears inside a JSON string written the way {@code JSON.stringify} writes it ({@link #JSON_STRING}):
 * {@code "} and {@code \} and control characters escaped (a newline as backslash-n, U+001F as backslash-u001f), everything else raw.
 * One spelling per character keeps lengths exact and the output canonical.
 */
public enum Encoding {
    RAW,
    JSON_STRING;

    /** The byte-range sequences that spell any code point of {@code chars}. */
    public List<int[]> sequences(CharClass chars) {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < chars.rangeCount(); i++) {
            int lo = chars.lo(i);
            int hi = chars.hi(i);
            if (this == RAW) {
                Utf8Ranges.split(lo, hi, out);
                continue;
            }
            for (int cp = lo; cp <= Math.min(hi, 0x5C); cp++) {
                if (cp < 0x20 || cp == '"' || cp == '\\') {
                    out.add(escape(cp));
                } else {
                    int end = cp;
                    while (end < Math.min(hi, 0x5C) && !(end + 1 == '"' || end + 1 == '\\')) {
                        end++;
                    }
                    Utf8Ranges.split(cp, end, out);
                    cp = end;
                }
            }
            if (hi > 0x5C) {
                Utf8Ranges.split(Math.max(lo, 0x5D), hi, out);
            }
        }
        return out;
    }

    /** The escape of a character JSON requires escaped, as byte ranges of one byte each. */
    private static int[] escape(int cp) {
        String text = switch (cp) {
            case '"' -> "\\\"";
            case '\\' -> "\\\\";
            case '\b' -> "\\b";
            case '\t' -> "\\t";
            case '\n' -> "\\n";
            case '\f' -> "\\f";
            case '\r' -> "\\r";
            default -> String.format("\\u%04x", cp);
        };
        int[] seq = new int[2 * text.length()];
        for (int i = 0; i < text.length(); i++) {
            seq[2 * i] = text.charAt(i);
            seq[2 * i + 1] = text.charAt(i);
        }
        return seq;
    }
}
