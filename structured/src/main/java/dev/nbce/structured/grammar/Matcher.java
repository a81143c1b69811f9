package dev.nbce.structured.grammar;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/** The byte-level semantics of compiled nodes: expanding a node, feeding a byte, telling the end. */
public final class Matcher {
    /** Bounds expansion through references that consume nothing (a left-recursive schema). */
    private static final int MAX_EXPANSION_DEPTH = 64;

    private Matcher() {}

    /** The configurations before the first byte of {@code root}. */
    public static List<Config> start(Node root) {
        return dedup(expect(root, Frame.ROOT));
    }

    /** A value of {@code node} is due, followed by whatever {@code parent} does after it. */
    static List<Config> expect(Node node, Frame parent) {
        List<Config> out = new ArrayList<>();
        expect(node, parent, out, 0);
        return out;
    }

    private static void expect(Node node, Frame parent, List<Config> out, int depth) {
        if (depth > MAX_EXPANSION_DEPTH) {
            return;
        }
        if (node instanceof Node.Terminal t) {
            out.add(new Config(t.start(), parent));
        } else if (node instanceof Node.AnyOf a) {
            for (Node option : a.options()) {
                expect(option, parent, out, depth + 1);
            }
        } else if (node instanceof Node.Ref r) {
            expect(r.target(), parent, out, depth + 1);
        } else if (node instanceof ObjectNode o) {
            out.add(new Config(null, ObjectFrame.start(o, parent)));
        } else if (node instanceof ArrayNode a) {
            out.add(new Config(null, ArrayFrame.start(a, parent)));
        } else if (node instanceof Node.Seq s) {
            expect(s.parts().get(0), new SeqFrame(s, 1, parent), out, depth + 1);
        } else if (node instanceof Node.Repeat r) {
            if (r.min() == 0) {
                out.addAll(parent.afterValue());
            }
            expect(r.item(), new RepeatFrame(r, RepeatFrame.ITEM, 1, parent), out, depth + 1);
        }
    }

    /** Feeds {@code b} to every configuration; duplicates removed. */
    public static List<Config> feed(List<Config> configs, int b) {
        List<Config> out = new ArrayList<>(configs.size() + 1);
        for (Config c : configs) {
            feed(c, b, out);
        }
        return out.size() > 1 ? dedup(out) : out;
    }

    public static void feed(Config c, int b, List<Config> out) {
        if (c.lex == null) {
            out.addAll(c.frame.onByte(b));
            return;
        }
        Lexeme next = c.lex.next(b);
        if (next != null) {
            out.add(new Config(next, c.frame));
        }
        if (c.lex.accepting()) {
            for (Config after : c.frame.afterLexeme(c.lex)) {
                feed(after, b, out);
            }
        }
    }

    /** The configurations once the terminal in progress ends here. */
    public static List<Config> complete(Config c) {
        return c.frame.afterLexeme(c.lex);
    }

    /** The output may end here. */
    public static boolean accepting(Config c) {
        if (c.lex == null) {
            return c.frame.isDone();
        }
        if (!c.lex.accepting()) {
            return false;
        }
        for (Config after : c.frame.afterLexeme(c.lex)) {
            if (accepting(after)) {
                return true;
            }
        }
        return false;
    }

    /** Feeds every configuration with {@code bytes}; empty when they are not allowed. */
    public static List<Config> run(List<Config> configs, byte[] bytes) {
        List<Config> at = configs;
        for (int i = 0; i < bytes.length && !at.isEmpty(); i++) {
            at = feed(at, bytes[i] & 0xFF);
        }
        return at;
    }

    static List<Config> dedup(List<Config> configs) {
        return configs.size() < 2 ? configs : new ArrayList<>(new LinkedHashSet<>(configs));
    }
}
