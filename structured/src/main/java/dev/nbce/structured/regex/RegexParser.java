package dev.nbce.structured.regex;

import dev.nbce.structured.automaton.CharClass;
import dev.nbce.structured.automaton.CompileException;
import java.util.ArrayList;
import java.util.List;

/**
 * The ECMA-262 dialect JSON Schema's {@code pattern} uses, minus what no finite automaton can do: lookaround,
 * backreferences and word boundaries are refused with a message that names them. Lazy quantifiers match the
 * same language as greedy ones, so they are accepted. docs/structured-output.md lists the dialect.
 */
public final class RegexParser {
    static final int MAX_COUNT = 1000;
    private static final CharClass DIGIT = CharClass.range('0', '9');
    private static final CharClass WORD = CharClass.ofRanges('0', '9', 'A', 'Z', '_', '_', 'a', 'z');
    private static final CharClass SPACE = CharClass.ofRanges('\t', '\r', ' ', ' ', 0xA0, 0xA0, 0x1680, 0x1680,
            0x2000, 0x200A, 0x2028, 0x2029, 0x202F, 0x202F, 0x205F, 0x205F, 0x3000, 0x3000, 0xFEFF, 0xFEFF);
    private static final CharClass LINE_END = CharClass.ofRanges('\n', '\n', '\r', '\r', 0x2028, 0x2029);

    private final String src;
    private final boolean ignoreCase;
    private int pos;

    private RegexParser(String src, boolean ignoreCase) {
        this.src = src;
        this.ignoreCase = ignoreCase;
    }

    public static Re parse(String pattern) {
        return parse(pattern, false);
    }

    public static Re parse(String pattern, boolean ignoreCase) {
        RegexParser p = new RegexParser(pattern, ignoreCase);
        Re re = p.alternation();
        if (p.pos < p.src.length()) {
            throw p.error(p.src.charAt(p.pos) == ')' ? "unbalanced ')'" : "unexpected '" + p.src.charAt(p.pos) + "'");
        }
        return re;
    }

    private Re alternation() {
        List<Re> options = new ArrayList<>();
        options.add(sequence());
        while (more() && peek() == '|') {
            pos++;
            options.add(sequence());
        }
        return options.size() == 1 ? options.get(0) : new Re.Alt(options);
    }

    private Re sequence() {
        List<Re> items = new ArrayList<>();
        while (more() && peek() != '|' && peek() != ')') {
            Re atom = atom();
            items.add(quantified(atom));
        }
        return items.size() == 1 ? items.get(0) : new Re.Seq(items);
    }

    private Re quantified(Re atom) {
        while (more()) {
            char c = peek();
            int min;
            int max;
            if (c == '*') {
                min = 0;
                max = Re.UNBOUNDED;
                pos++;
            } else if (c == '+') {
                min = 1;
                max = Re.UNBOUNDED;
                pos++;
            } else if (c == '?') {
                min = 0;
                max = 1;
                pos++;
            } else if (c == '{' && isCounter()) {
                pos++;
                min = number();
                max = min;
                if (peek() == ',') {
                    pos++;
                    max = peek() == '}' ? Re.UNBOUNDED : number();
                }
                pos++; // '}'
                if (max != Re.UNBOUNDED && max < min) {
                    throw error("quantifier {" + min + "," + max + "} is out of order");
                }
                if (min > MAX_COUNT || max > MAX_COUNT) {
                    throw error("repetition counts above " + MAX_COUNT + " are not supported");
                }
            } else {
                return atom;
            }
            if (atom instanceof Re.Anchor) {
                throw error("a quantifier after an anchor");
            }
            if (more() && peek() == '?') {
                pos++; // lazy: same language
            }
            atom = new Re.Repeat(atom, min, max);
        }
        return atom;
    }

    private boolean isCounter() {
        int i = pos + 1;
        int digits = 0;
        while (i < src.length() && Character.isDigit(src.charAt(i))) {
            i++;
            digits++;
        }
        if (digits == 0) {
            return false;
        }
        if (i < src.length() && src.charAt(i) == ',') {
            i++;
            while (i < src.length() && Character.isDigit(src.charAt(i))) {
                i++;
            }
        }
        return i < src.length() && src.charAt(i) == '}';
    }

    private int number() {
        int start = pos;
        while (more() && Character.isDigit(peek())) {
            pos++;
        }
        String digits = src.substring(start, pos);
        return digits.length() > 6 ? Integer.MAX_VALUE : Integer.parseInt(digits);
    }

    private Re atom() {
        char c = src.charAt(pos++);
        switch (c) {
            case '^':
                return new Re.Anchor(true);
            case '$':
                return new Re.Anchor(false);
            case '.':
                return chars(LINE_END.complement());
            case '(':
                return group();
            case '[':
                return chars(charClass());
            case '\\':
                return escapeAtom();
            case '*':
            case '+':
            case '?':
                throw error("nothing to repeat before '" + c + "'");
            default:
                pos--;
                int cp = src.codePointAt(pos);
                pos += Character.charCount(cp);
                return chars(CharClass.of(cp));
        }
    }

    private Re group() {
        if (more() && peek() == '?') {
            String rest = src.substring(pos);
            if (rest.startsWith("?:")) {
                pos += 2;
            } else if (rest.startsWith("?<") && !rest.startsWith("?<=") && !rest.startsWith("?<!")) {
                int close = src.indexOf('>', pos);
                if (close < 0) {
                    throw error("unterminated group name");
                }
                pos = close + 1;
            } else if (rest.startsWith("?=") || rest.startsWith("?!") || rest.startsWith("?<=") || rest.startsWith("?<!")) {
                throw error("lookaround assertions are not supported");
            } else {
                throw error("unknown group syntax '(?'");
            }
        }
        Re inner = alternation();
        if (!more() || peek() != ')') {
            throw error("missing ')'");
        }
        pos++;
        return inner;
    }

    private Re escapeAtom() {
        if (!more()) {
            throw error("a trailing backslash");
        }
        char c = peek();
        if (c == 'b' || c == 'B') {
            throw error("word boundaries (\\" + c + ") are not supported");
        }
        if (c >= '1' && c <= '9') {
            throw error("backreferences are not supported");
        }
        if (c == 'k' && pos + 1 < src.length() && src.charAt(pos + 1) == '<') {
            throw error("backreferences are not supported");
        }
        return chars(escape(false));
    }

    /** After a backslash: a class escape or one character. */
    private CharClass escape(boolean inClass) {
        char c = src.charAt(pos++);
        switch (c) {
            case 'd': return DIGIT;
            case 'D': return DIGIT.complement();
            case 'w': return WORD;
            case 'W': return WORD.complement();
            case 's': return SPACE;
            case 'S': return SPACE.complement();
            case 'n': return CharClass.of('\n');
            case 'r': return CharClass.of('\r');
            case 't': return CharClass.of('\t');
            case 'f': return CharClass.of('\f');
            case 'v': return CharClass.of(0x0B);
            case '0': return CharClass.of(0);
            case 'b':
                if (inClass) {
                    return CharClass.of('\b');
                }
                throw error("word boundaries are not supported");
            case 'x': return CharClass.of(hex(2));
            case 'u':
                if (more() && peek() == '{') {
                    int close = src.indexOf('}', pos);
                    if (close < 0) {
                        throw error("unterminated \\u{...}");
                    }
                    int cp = parseHex(src.substring(pos + 1, close));
                    pos = close + 1;
                    return CharClass.of(cp);
                }
                return CharClass.of(hex(4));
            case 'c':
                if (more() && Character.isLetter(peek())) {
                    return CharClass.of(src.charAt(pos++) % 32);
                }
                return CharClass.of('\\').union(CharClass.of('c'));
            case 'p':
            case 'P':
                CharClass property = UnicodeProperty.of(propertyName());
                return c == 'p' ? property : property.complement();
            default:
                if (Character.isLetterOrDigit(c)) {
                    throw error("unknown escape \\" + c);
                }
                return CharClass.of(c);
        }
    }

    private String propertyName() {
        if (!more() || peek() != '{') {
            throw error("\\p needs a {Property}");
        }
        int close = src.indexOf('}', pos);
        if (close < 0) {
            throw error("unterminated \\p{...}");
        }
        String name = src.substring(pos + 1, close);
        pos = close + 1;
        return name;
    }

    private int hex(int digits) {
        if (pos + digits > src.length()) {
            throw error("a short hex escape");
        }
        int v = parseHex(src.substring(pos, pos + digits));
        pos += digits;
        return v;
    }

    private int parseHex(String h) {
        try {
            int v = Integer.parseInt(h, 16);
            if (v > CharClass.MAX) {
                throw error("code point out of range");
            }
            return v;
        } catch (NumberFormatException e) {
            throw error("a bad hex escape '" + h + "'");
        }
    }

    private CharClass charClass() {
        boolean negated = more() && peek() == '^';
        if (negated) {
            pos++;
        }
        CharClass set = CharClass.NONE;
        boolean first = true;
        while (true) {
            if (!more()) {
                throw error("missing ']'");
            }
            char c = peek();
            if (c == ']' && !first) {
                pos++;
                break;
            }
            if (c == ']') { // ECMA: "[]" is the empty class
                pos++;
                break;
            }
            first = false;
            CharClass lo = classAtom();
            if (more() && peek() == '-' && pos + 1 < src.length() && src.charAt(pos + 1) != ']') {
                pos++;
                CharClass hi = classAtom();
                if (lo.rangeCount() != 1 || lo.lo(0) != lo.hi(0) || hi.rangeCount() != 1 || hi.lo(0) != hi.hi(0)) {
                    throw error("a range with a class escape at one end");
                }
                if (hi.lo(0) < lo.lo(0)) {
                    throw error("range out of order in character class");
                }
                set = set.union(CharClass.range(lo.lo(0), hi.lo(0)));
            } else {
                set = set.union(lo);
            }
        }
        if (ignoreCase) {
            set = set.caseInsensitive();
        }
        return negated ? set.complement() : set;
    }

    private CharClass classAtom() {
        char c = src.charAt(pos);
        if (c == '\\') {
            pos++;
            if (!more()) {
                throw error("a trailing backslash");
            }
            return escape(true);
        }
        int cp = src.codePointAt(pos);
        pos += Character.charCount(cp);
        return CharClass.of(cp);
    }

    private Re chars(CharClass set) {
        return new Re.Chars(ignoreCase ? set.caseInsensitive() : set);
    }

    private boolean more() {
        return pos < src.length();
    }

    private char peek() {
        return src.charAt(pos);
    }

    private CompileException error(String what) {
        return new CompileException("", "regex /" + abbreviated() + "/: " + what + " (at " + pos + ")");
    }

    private String abbreviated() {
        return src.length() > 60 ? src.substring(0, 57) + "..." : src;
    }
}
