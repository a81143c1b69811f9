package dev.nbce.gateway.prompt;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * The Python {@code str} methods hub chat templates call ({@code content.startswith('x')},
 * {@code .split()}, {@code .upper()}, ...), which Jinjava would otherwise look up as Java methods and
 * fail on. Placed before Jinjava's own resolvers; every other lookup falls through to them.
 */
final class PythonStringMethods extends ELResolver {

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(method instanceof String name)) {
            return null;
        }
        ContentParts parts = ContentParts.unwrap(base);
        if (parts != null && isStringMethod(name)) {
            throw parts.usedAsText();
        }
        if (!(base instanceof String text)) {
            return null;
        }
        Object[] args = params == null ? new Object[0] : params;
        Object result = call(text, name, args);
        if (result != null) {
            context.setPropertyResolved(true);
        }
        return result;
    }

    /** The result of {@code text.name(args)}, or null when this is not a method handled here. */
    private static Object call(String text, String name, Object[] args) {
        return switch (name) {
            case "strip" -> strip(text, args, true, true);
            case "lstrip" -> strip(text, args, true, false);
            case "rstrip" -> strip(text, args, false, true);
            case "startswith" -> args.length == 1 ? anyMatch(args[0], text::startsWith) : null;
            case "endswith" -> args.length == 1 ? anyMatch(args[0], text::endsWith) : null;
            case "split" -> split(text, args);
            case "upper" -> args.length == 0 ? text.toUpperCase(Locale.ROOT) : null;
            case "lower" -> args.length == 0 ? text.toLowerCase(Locale.ROOT) : null;
            case "title" -> args.length == 0 ? title(text) : null;
            case "capitalize" -> args.length == 0 ? capitalize(text) : null;
            case "replace" -> replace(text, args);
            case "find" -> args.length == 1 ? (long) text.indexOf(str(args[0])) : null;
            case "join" -> args.length == 1 ? join(text, args[0]) : null;
            default -> null;
        };
    }

    private static final java.util.Set<String> STRING_METHODS = java.util.Set.of("strip", "lstrip", "rstrip",
            "startswith", "endswith", "split", "upper", "lower", "title", "capitalize", "replace", "find", "join");

    private static boolean isStringMethod(String name) {
        return STRING_METHODS.contains(name);
    }

    private static String str(Object value) {
        return PythonValues.str(value);
    }

    /**
     * Python's {@code str.isspace}, which {@code strip()} and {@code split()} use: Java's whitespace plus
     * every Unicode space separator (NBSP U+00A0, U+2007 and U+202F included, which Java leaves out)
     * and NEL U+0085.
     */
    static boolean isPythonSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }

    /** {@code strip()} trims whitespace; {@code strip(chars)} trims any of those characters. */
    private static String strip(String text, Object[] args, boolean left, boolean right) {
        return args.length == 0 || args[0] == null
                ? stripWhitespace(text, left, right)
                : stripChars(text, str(args[0]), left, right);
    }

    static String stripWhitespace(String text, boolean left, boolean right) {
        int start = 0;
        int end = text.length();
        while (left && start < end && isPythonSpace(text.charAt(start))) {
            start++;
        }
        while (right && end > start && isPythonSpace(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(start, end);
    }

    static String stripChars(String text, String chars, boolean left, boolean right) {
        int start = 0;
        int end = text.length();
        while (left && start < end && chars.indexOf(text.charAt(start)) >= 0) {
            start++;
        }
        while (right && end > start && chars.indexOf(text.charAt(end - 1)) >= 0) {
            end--;
        }
        return text.substring(start, end);
    }

    /** {@code startswith} accepts one prefix or a tuple (a list here) of them. */
    private static Boolean anyMatch(Object candidates, java.util.function.Predicate<String> test) {
        if (candidates instanceof Collection<?> many) {
            for (Object one : many) {
                if (test.test(str(one))) {
                    return true;
                }
            }
            return false;
        }
        return test.test(str(candidates));
    }

    /** {@code split()} on whitespace runs, or {@code split(sep[, maxsplit])} on a literal separator. */
    private static List<String> split(String text, Object[] args) {
        String separator = args.length > 0 && args[0] != null ? str(args[0]) : null;
        int maxSplit = args.length > 1 && args[1] instanceof Number n ? n.intValue() : -1;
        List<String> parts = new ArrayList<>();
        if (separator == null) {
            int i = 0;
            while (i < text.length()) {
                while (i < text.length() && isPythonSpace(text.charAt(i))) {
                    i++;
                }
                if (i == text.length()) {
                    break;
                }
                if (maxSplit >= 0 && parts.size() == maxSplit) {
                    parts.add(stripWhitespace(text.substring(i), false, true));
                    break;
                }
                int start = i;
                while (i < text.length() && !isPythonSpace(text.charAt(i))) {
                    i++;
                }
                parts.add(text.substring(start, i));
            }
            return parts;
        }
        if (separator.isEmpty()) {
            throw new IllegalArgumentException("empty separator");
        }
        int start = 0;
        int at;
        while ((maxSplit < 0 || parts.size() < maxSplit) && (at = text.indexOf(separator, start)) >= 0) {
            parts.add(text.substring(start, at));
            start = at + separator.length();
        }
        parts.add(text.substring(start));
        return parts;
    }

    private static String replace(String text, Object[] args) {
        if (args.length < 2 || args.length > 3) {
            return null;
        }
        String from = str(args[0]);
        String to = str(args[1]);
        int count = args.length == 3 && args[2] instanceof Number n ? n.intValue() : -1;
        if (count < 0) {
            return text.replace(from, to);
        }
        StringBuilder out = new StringBuilder();
        int start = 0;
        int at;
        for (int done = 0; done < count && !from.isEmpty() && (at = text.indexOf(from, start)) >= 0; done++) {
            out.append(text, start, at).append(to);
            start = at + from.length();
        }
        return out.append(text.substring(start)).toString();
    }

    private static String title(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean previousCased = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            out.append(previousCased ? Character.toLowerCase(c) : Character.toTitleCase(c));
            previousCased = Character.isLetter(c);
        }
        return out.toString();
    }

    private static String capitalize(String text) {
        return text.isEmpty()
                ? text
                : Character.toTitleCase(text.charAt(0)) + text.substring(1).toLowerCase(Locale.ROOT);
    }

    private static String join(String separator, Object items) {
        Iterator<?> it;
        if (items instanceof Iterable<?> iterable) {
            it = iterable.iterator();
        } else {
            return null;
        }
        StringBuilder out = new StringBuilder();
        while (it.hasNext()) {
            out.append(str(it.next()));
            if (it.hasNext()) {
                out.append(separator);
            }
        }
        return out.toString();
    }

    // Property access is not this resolver's business.

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {}

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
