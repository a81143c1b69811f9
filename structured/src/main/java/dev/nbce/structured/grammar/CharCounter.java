package dev.nbce.structured.grammar;

/**
 * Where a JSON string's content stands between characters, to count them as JSON Schema does (code points;
 * an escape such as backslash-n is one). 0 = at a character boundary; 1..3 = UTF-8 continuation bytes still
 * due; 10 = after a backslash; 11..14 = hex digits of a backslash-u escape read so far + 11. A character counts
 * from its first byte: a string at its maximum length can then never begin a character it may not finish.
 * The content automaton has already checked the bytes; this only counts.
 */
public final class CharCounter {
    public static final int BOUNDARY = 0;

    private CharCounter() {}

    /** The next position; a result with bit 8 set means a character just began (position in the low bits). */
    public static int step(int position, int b) {
        if (position == BOUNDARY) {
            if (b == '\\') {
                return 0x100 | 10;
            }
            if (b < 0x80) {
                return 0x100;
            }
            return 0x100 | (b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : 1);
        }
        if (position <= 3) {
            return position - 1;
        }
        if (position == 10) {
            return b == 'u' ? 11 : BOUNDARY;
        }
        return position == 14 ? BOUNDARY : position + 1;
    }
}
