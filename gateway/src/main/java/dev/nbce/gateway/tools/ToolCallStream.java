package dev.nbce.gateway.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An answer read for function calls while it is generated, as OpenAI streams them: content first (held back
 * where it might be the start of a call), then for each call a start (its id and name) followed by its
 * arguments in fragments, which join to exactly the finished call's arguments. One per generation; not
 * thread-safe.
 */
public final class ToolCallStream {
    /** What the client is sent next. */
    public sealed interface Delta {}

    /** Text of the content. */
    public record Content(String text) implements Delta {}

    /** Call {@code index} begins: its id and the function's name. */
    public record Start(int index, String id, String name) implements Delta {}

    /** More of the arguments of call {@code index}. */
    public record Arguments(int index, String fragment) implements Delta {}

    private final ToolCallFormat format;
    private final StringBuilder text = new StringBuilder();
    private final List<Integer> argumentsSent = new ArrayList<>();
    private int contentSent;

    public ToolCallStream(ToolCallFormat format) {
        this.format = format;
    }

    /** A new id for a call: "call_" and 24 hex digits, as OpenAI's look. */
    public static String newCallId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return "call_" + String.format("%016x%08x", random.nextLong(), random.nextInt());
    }

    /** The deltas a piece of the answer releases (none while it might still be the start of a call). */
    public List<Delta> push(String piece) {
        text.append(piece);
        String now = text.toString();
        ToolCallReader.Snapshot s = ToolCallReader.read(now, format, false);
        List<Delta> out = new ArrayList<>();
        content(now, s.contentEnd(), out);
        if (s.malformed()) {
            return out;
        }
        for (int i = 0; i < s.calls().size(); i++) {
            ToolCallReader.Partial call = s.calls().get(i);
            if (i == argumentsSent.size()) {
                if (call.name() == null) {
                    break;
                }
                out.add(new Start(i, newCallId(), call.name()));
                argumentsSent.add(call.argsStart());
            }
            if (call.argsStart() >= 0) {
                int from = Math.max(argumentsSent.get(i), call.argsStart());
                int to = call.argsEnd() >= 0 ? call.argsEnd() : now.length();
                if (to > from) {
                    out.add(new Arguments(i, now.substring(from, to)));
                    argumentsSent.set(i, to);
                }
            }
        }
        return out;
    }

    /**
     * The deltas the end of the answer releases. When it holds no well-formed call, the text held back is
     * content; calls already begun stay (possible only in {@code auto}, where nothing constrains the model).
     */
    public List<Delta> finish() {
        String now = text.toString();
        ToolCallReader.Answer answer = ToolCallReader.parse(now, format);
        List<Delta> out = new ArrayList<>();
        if (answer.calls().isEmpty()) {
            if (argumentsSent.isEmpty()) {
                content(now, now.length(), out);
            }
            return out;
        }
        ToolCallReader.Snapshot s = ToolCallReader.read(now, format, true);
        content(now, s.contentEnd(), out);
        for (int i = 0; i < answer.calls().size(); i++) {
            ToolCallReader.Partial call = s.calls().get(i);
            if (i == argumentsSent.size()) {
                out.add(new Start(i, newCallId(), call.name()));
                argumentsSent.add(call.argsStart());
            }
            int from = Math.max(argumentsSent.get(i), call.argsStart());
            if (call.argsEnd() > from) {
                out.add(new Arguments(i, now.substring(from, call.argsEnd())));
                argumentsSent.set(i, call.argsEnd());
            }
        }
        return out;
    }

    /** At least one call was streamed: the answer finishes with "tool_calls". */
    public boolean calledTools() {
        return !argumentsSent.isEmpty();
    }

    private void content(String now, int end, List<Delta> out) {
        if (end > contentSent) {
            out.add(new Content(now.substring(contentSent, end)));
            contentSent = end;
        }
    }
}
