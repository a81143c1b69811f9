package dev.nbce.gateway.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.gateway.request.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads function calls out of an answer written in a {@link ToolCallFormat}, whole or as far as it has been
 * generated: the text before the first call is the content; then come the calls, each a JSON object whose
 * {@code "name"} is a string and whose arguments ({@link ToolCallFormat#argumentsKey()}) an object. A call's
 * arguments are its raw text, so the fragments streamed while it is generated join to exactly the
 * arguments of the finished answer. Text after the last call is dropped (as vLLM's parsers do). Pure.
 */
public final class ToolCallReader {
    private static final String PYTHON_TAG = "<|python_tag|>";

    private ToolCallReader() {}

    /**
     * A call as far as it is written.
     *
     * @param name       its name once the string is complete; null before
     * @param argsStart  where its arguments begin in the text; -1 before
     * @param argsEnd    where they end; -1 while they are incomplete
     * @param complete   the call's object and the format's suffix are complete
     */
    record Partial(String name, int argsStart, int argsEnd, boolean complete) {}

    /**
     * The answer as far as it is written.
     *
     * @param contentEnd the content that is certainly content (not the start of a call) ends here
     * @param calling    a call has begun: no more content comes
     * @param calls      the calls begun, in order
     * @param malformed  the text after the first call's start does not follow the format
     */
    record Snapshot(int contentEnd, boolean calling, List<Partial> calls, boolean malformed) {}

    /** One finished call: its name and the raw text of its arguments (a JSON object). */
    public record Call(String name, String arguments) {}

    /**
     * A finished answer: its content (null when it is empty beside calls) and its calls; no calls when it
     * holds none or they do not parse, and then the whole text is the content.
     */
    public record Answer(String content, List<Call> calls) {}

    /** The finished answer's content and calls. */
    public static Answer parse(String text, ToolCallFormat format) {
        Snapshot s = read(text, format, true);
        if (!s.calling() || s.malformed() || s.calls().isEmpty()) {
            return new Answer(text, List.of());
        }
        List<Call> calls = new ArrayList<>();
        for (Partial p : s.calls()) {
            if (!p.complete() || p.name() == null || p.argsEnd() < 0) {
                return new Answer(text, List.of());
            }
            String arguments = text.substring(p.argsStart(), p.argsEnd());
            if (!isObject(arguments)) {
                return new Answer(text, List.of());
            }
            calls.add(new Call(p.name(), arguments));
        }
        String content = text.substring(0, s.contentEnd());
        return new Answer(content.isBlank() ? null : content, List.copyOf(calls));
    }

    private static boolean isObject(String json) {
        try {
            JsonNode node = Json.MAPPER.readTree(json);
            return node != null && node.isObject();
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    /**
     * Reads {@code text} as far as it goes.
     *
     * @param finished the text is the whole answer: a possible start of a call at its end is content
     */
    static Snapshot read(String text, ToolCallFormat format, boolean finished) {
        int start = callStart(text, format, finished);
        if (start < 0) {
            return new Snapshot(-start - 1, false, List.of(), false);
        }
        List<Partial> calls = new ArrayList<>();
        int pos = start;
        start = format == ToolCallFormat.LLAMA3_JSON ? 0 : start; // Llama's content: none beside calls
        while (true) {
            if (!format.prefix().isEmpty()) {
                int matched = matchPrefix(text, pos, format.prefix().strip());
                if (matched == 0) {
                    return new Snapshot(start, true, calls, false); // the prefix is being written
                }
                if (matched < 0) {
                    return new Snapshot(start, true, calls, true);
                }
                pos = skipSpace(text, matched);
            }
            if (pos >= text.length()) {
                return new Snapshot(start, true, calls, false);
            }
            if (text.charAt(pos) != '{') {
                return new Snapshot(start, true, calls, true);
            }
            int[] object = new int[1];
            Partial call = object(text, pos, format, object);
            if (call == null) {
                return new Snapshot(start, true, calls, true);
            }
            if (object[0] < 0) {
                calls.add(call);
                return new Snapshot(start, true, calls, false);
            }
            pos = skipSpace(text, object[0]);
            if (!format.suffix().isEmpty()) {
                int matched = matchPrefix(text, pos, format.suffix().strip());
                if (matched <= 0) {
                    calls.add(call);
                    return new Snapshot(start, true, calls, matched < 0);
                }
                pos = matched;
            }
            calls.add(new Partial(call.name(), call.argsStart(), call.argsEnd(), true));
            pos = skipSpace(text, pos);
            String separator = format.separator().strip();
            if (!separator.isEmpty()) {
                int matched = matchPrefix(text, pos, separator);
                if (matched <= 0) {
                    return new Snapshot(start, true, calls, false); // more calls would start here; the rest is dropped
                }
                pos = skipSpace(text, matched);
            } else if (pos >= text.length() || !text.startsWith(format.prefix().strip(), pos)
                    && !format.prefix().strip().startsWith(text.substring(pos))) {
                return new Snapshot(start, true, calls, false);
            }
        }
    }

    /**
     * Where the calls begin, or {@code -(contentEnd + 1)} while the text is content: for Hermes the first
     * {@code <tool_call>} (content up to where a prefix of it might begin); for Llama 3.1 a first
     * non-blank {@code {} (after an optional {@code <|python_tag|>}).
     */
    private static int callStart(String text, ToolCallFormat format, boolean finished) {
        if (format == ToolCallFormat.LLAMA3_JSON) {
            int pos = skipSpace(text, 0);
            if (text.startsWith(PYTHON_TAG, pos)) {
                pos = skipSpace(text, pos + PYTHON_TAG.length());
            } else if (!finished && PYTHON_TAG.startsWith(text.substring(pos))) {
                return -1; // nothing certain yet
            }
            if (pos < text.length() && text.charAt(pos) == '{') {
                return pos;
            }
            if (pos >= text.length() && !finished) {
                return -1;
            }
            return -(text.length() + 1);
        }
        String open = format.prefix().strip();
        int at = text.indexOf(open);
        if (at >= 0) {
            return at;
        }
        int held = 0;
        if (!finished) {
            for (int n = Math.min(open.length() - 1, text.length()); n > 0; n--) {
                if (text.endsWith(open.substring(0, n))) {
                    held = n;
                    break;
                }
            }
        }
        return -(text.length() - held + 1);
    }

    /** The end of {@code expected} at {@code pos}; 0 when the text ends inside it; -1 when it is not there. */
    private static int matchPrefix(String text, int pos, String expected) {
        int n = Math.min(expected.length(), text.length() - pos);
        if (!text.regionMatches(pos, expected, 0, n)) {
            return -1;
        }
        return n < expected.length() ? 0 : pos + expected.length();
    }

    /**
     * The call object starting at {@code pos}; {@code end[0]} is set to the index after it, or -1 when the
     * text ends inside it. Null when it is malformed.
     */
    private static Partial object(String text, int pos, ToolCallFormat format, int[] end) {
        String name = null;
        int argsStart = -1;
        int argsEnd = -1;
        int i = skipSpace(text, pos + 1);
        end[0] = -1;
        boolean first = true;
        while (true) {
            if (i >= text.length()) {
                return new Partial(name, argsStart, argsEnd, false);
            }
            char c = text.charAt(i);
            if (c == '}') {
                end[0] = i + 1;
                return new Partial(name, argsStart, argsEnd, false);
            }
            if (!first) {
                if (c != ',') {
                    return null;
                }
                i = skipSpace(text, i + 1);
                if (i >= text.length()) {
                    return new Partial(name, argsStart, argsEnd, false);
                }
            }
            first = false;
            int keyEnd = JsonSpan.end(text, i);
            if (keyEnd == JsonSpan.MALFORMED || text.charAt(i) != '"') {
                return null;
            }
            if (keyEnd == JsonSpan.INCOMPLETE) {
                return new Partial(name, argsStart, argsEnd, false);
            }
            String key = text.substring(i + 1, keyEnd - 1);
            i = skipSpace(text, keyEnd);
            if (i >= text.length()) {
                return new Partial(name, argsStart, argsEnd, false);
            }
            if (text.charAt(i) != ':') {
                return null;
            }
            i = skipSpace(text, i + 1);
            if (i >= text.length()) {
                return new Partial(name, argsStart, argsEnd, false);
            }
            int valueEnd = JsonSpan.end(text, i);
            if (valueEnd == JsonSpan.MALFORMED) {
                return null;
            }
            boolean arguments = key.equals(format.argumentsKey()) || key.equals("arguments") || key.equals("parameters");
            if (arguments && argsStart < 0) {
                if (text.charAt(i) != '{') {
                    return null;
                }
                argsStart = i;
                argsEnd = valueEnd < 0 ? -1 : valueEnd;
            }
            if (valueEnd == JsonSpan.INCOMPLETE) {
                return new Partial(name, argsStart, argsEnd, false);
            }
            if (key.equals("name")) {
                if (text.charAt(i) != '"') {
                    return null;
                }
                name = JsonSpan.string(text, i, valueEnd);
            }
            i = skipSpace(text, valueEnd);
        }
    }

    private static int skipSpace(String text, int pos) {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
        return pos;
    }
}
