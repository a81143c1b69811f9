package dev.nbce.structured.grammar;

import java.util.ArrayList;
import java.util.List;

/** Inside a repetition: an item or a separator in progress, and how many items so far. */
record RepeatFrame(Node.Repeat node, int phase, int count, Frame parent) implements Frame {
    static final int ITEM = 0;
    static final int SEPARATOR = 1;

    @Override
    public List<Config> onByte(int b) {
        return List.of();
    }

    @Override
    public List<Config> afterLexeme(Lexeme done) {
        if (phase == SEPARATOR) {
            return Matcher.expect(node.item(), new RepeatFrame(node, ITEM, count + 1, parent));
        }
        return afterValue();
    }

    @Override
    public List<Config> afterValue() {
        List<Config> out = new ArrayList<>();
        if (count >= node.min()) {
            out.addAll(parent.afterValue());
        }
        if (count < node.max()) {
            if (node.separator() != null) {
                out.add(new Config(node.separator(), new RepeatFrame(node, SEPARATOR, count, parent)));
            } else {
                out.addAll(Matcher.expect(node.item(), new RepeatFrame(node, ITEM, count + 1, parent)));
            }
        }
        return out;
    }
}
