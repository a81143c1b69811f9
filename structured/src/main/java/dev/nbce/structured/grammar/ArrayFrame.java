package dev.nbce.structured.grammar;

import java.util.List;

/** Inside an array: which phase and how many items so far (counts past every limit are kept at the limit). */
record ArrayFrame(ArrayNode node, int phase, int count, Frame parent) implements Frame {
    static final int START = 0;      // before '['
    static final int OPEN = 1;       // after '['
    static final int ITEM = 2;       // an item in progress
    static final int AFTER_ITEM = 3;

    static ArrayFrame start(ArrayNode node, Frame parent) {
        return new ArrayFrame(node, START, 0, parent);
    }

    @Override
    public List<Config> onByte(int b) {
        switch (phase) {
            case START:
                return b == '[' ? List.of(new Config(null, new ArrayFrame(node, OPEN, 0, parent))) : List.of();
            case OPEN:
                if (b == ']') {
                    return node.min() == 0 ? parent.afterValue() : List.of();
                }
                return node.item(0) == null ? List.of() : Matcher.feed(Matcher.expect(node.item(0), itemFrame(1)), b);
            case AFTER_ITEM:
                if (b == ']') {
                    return count >= node.min() ? parent.afterValue() : List.of();
                }
                if (b == ',' && node.item(count) != null) {
                    return Matcher.expect(node.item(count), itemFrame(count + 1));
                }
                return List.of();
            default:
                return List.of();
        }
    }

    private ArrayFrame itemFrame(int items) {
        return new ArrayFrame(node, ITEM, Math.min(items, node.countHorizon()), parent); // past every limit, alike
    }

    @Override
    public List<Config> afterValue() {
        return List.of(new Config(null, new ArrayFrame(node, AFTER_ITEM, count, parent)));
    }
}
