package dev.nbce.structured.regex;

import dev.nbce.structured.automaton.CharClass;
import dev.nbce.structured.automaton.CompileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntPredicate;

/** {@code \p{...}} general categories (L, Lu, Ll, Lt, Lm, Lo, N, Nd, Nl, No, P, S, Z and long names), from the JDK's tables. */
final class UnicodeProperty {
    private static final Map<String, CharClass> CACHE = new ConcurrentHashMap<>();

    private UnicodeProperty() {}

    static CharClass of(String name) {
        String key = name.startsWith("General_Category=") ? name.substring(17) : name.startsWith("gc=") ? name.substring(3) : name;
        IntPredicate test = predicate(key);
        if (test == null) {
            throw new CompileException("", "unknown Unicode property \\p{" + name + "}");
        }
        return CACHE.computeIfAbsent(key, k -> scan(test));
    }

    private static IntPredicate predicate(String name) {
        return switch (name) {
            case "L", "Letter" -> Character::isLetter;
            case "Lu", "Uppercase_Letter" -> cp -> Character.getType(cp) == Character.UPPERCASE_LETTER;
            case "Ll", "Lowercase_Letter" -> cp -> Character.getType(cp) == Character.LOWERCASE_LETTER;
            case "Lt", "Titlecase_Letter" -> cp -> Character.getType(cp) == Character.TITLECASE_LETTER;
            case "Lm", "Modifier_Letter" -> cp -> Character.getType(cp) == Character.MODIFIER_LETTER;
            case "Lo", "Other_Letter" -> cp -> Character.getType(cp) == Character.OTHER_LETTER;
            case "N", "Number" -> cp -> {
                int t = Character.getType(cp);
                return t == Character.DECIMAL_DIGIT_NUMBER || t == Character.LETTER_NUMBER || t == Character.OTHER_NUMBER;
            };
            case "Nd", "Decimal_Number", "digit" -> cp -> Character.getType(cp) == Character.DECIMAL_DIGIT_NUMBER;
            case "Nl", "Letter_Number" -> cp -> Character.getType(cp) == Character.LETTER_NUMBER;
            case "No", "Other_Number" -> cp -> Character.getType(cp) == Character.OTHER_NUMBER;
            case "P", "Punctuation", "punct" -> cp -> {
                int t = Character.getType(cp);
                return t >= Character.CONNECTOR_PUNCTUATION && t <= Character.OTHER_PUNCTUATION
                        || t == Character.INITIAL_QUOTE_PUNCTUATION || t == Character.FINAL_QUOTE_PUNCTUATION
                        || t == Character.DASH_PUNCTUATION || t == Character.START_PUNCTUATION || t == Character.END_PUNCTUATION;
            };
            case "S", "Symbol" -> cp -> {
                int t = Character.getType(cp);
                return t == Character.MATH_SYMBOL || t == Character.CURRENCY_SYMBOL || t == Character.MODIFIER_SYMBOL
                        || t == Character.OTHER_SYMBOL;
            };
            case "Z", "Separator" -> cp -> {
                int t = Character.getType(cp);
                return t == Character.SPACE_SEPARATOR || t == Character.LINE_SEPARATOR || t == Character.PARAGRAPH_SEPARATOR;
            };
            default -> null;
        };
    }

    private static CharClass scan(IntPredicate test) {
        List<Integer> ranges = new ArrayList<>();
        int start = -1;
        for (int cp = 0; cp <= CharClass.MAX + 1; cp++) {
            boolean in = cp <= CharClass.MAX && test.test(cp);
            if (in && start < 0) {
                start = cp;
            } else if (!in && start >= 0) {
                ranges.add(start);
                ranges.add(cp - 1);
                start = -1;
            }
        }
        return CharClass.ofRanges(ranges.stream().mapToInt(Integer::intValue).toArray());
    }
}
