package dev.nbce.structured.grammar;

import java.util.List;

/** Inside an object: which phase, which declared properties are behind ({@link ObjectNode#keys}), how many keys so far. */
record ObjectFrame(ObjectNode node, int phase, long next, int count, Node pending, Frame parent) implements Frame {
    static final int START = 0;      // before '{'
    static final int OPEN = 1;       // after '{'
    static final int KEY = 2;        // a key in progress
    static final int COLON = 3;      // after a key
    static final int VALUE = 4;      // a value in progress
    static final int AFTER_VALUE = 5;

    static ObjectFrame start(ObjectNode node, Frame parent) {
        return new ObjectFrame(node, START, 0, 0, null, parent);
    }

    @Override
    public List<Config> onByte(int b) {
        switch (phase) {
            case START:
                return b == '{' ? List.of(new Config(null, with(OPEN, next, count, null))) : List.of();
            case OPEN:
                if (b == '}') {
                    return closable() ? parent.afterValue() : List.of();
                }
                return keyStart(b);
            case COLON:
                return b == ':' ? Matcher.expect(pending, with(VALUE, next, count, null)) : List.of();
            case AFTER_VALUE:
                if (b == '}') {
                    return closable() ? parent.afterValue() : List.of();
                }
                if (b == ',' && canAddKey()) {
                    return keyConfigs();
                }
                return List.of();
            default:
                return List.of();
        }
    }

    private List<Config> keyStart(int b) {
        if (!canAddKey()) {
            return List.of();
        }
        return Matcher.feed(keyConfigs(), b);
    }

    private List<Config> keyConfigs() {
        ObjectFrame inKey = with(KEY, next, count, null);
        List<Config> out = new java.util.ArrayList<>(2);
        for (Lexeme start : node.keys(next).starts()) {
            out.add(new Config(start, inKey));
        }
        return out;
    }

    @Override
    public List<Config> afterLexeme(Lexeme done) {
        if (phase != KEY) {
            return afterValue();
        }
        int result = ((ClosedKey) done).result();
        int counted = Math.min(count + 1, node.countHorizon()); // counts past every limit behave alike
        if (result >= 0) {
            return List.of(new Config(null, with(COLON, node.after(next, result), counted, node.values().get(result))));
        }
        Node value = node.valueOfOther(-1 - result);
        return value == null ? List.of() : List.of(new Config(null, with(COLON, next, counted, value)));
    }

    @Override
    public List<Config> afterValue() {
        return List.of(new Config(null, with(AFTER_VALUE, next, count, null)));
    }

    private boolean closable() {
        return node.requiredDone(next) && count >= node.minProperties();
    }

    private boolean canAddKey() {
        return count < node.maxProperties() && node.keys(next).anyKeyPossible();
    }

    private ObjectFrame with(int newPhase, long newNext, int newCount, Node newPending) {
        return new ObjectFrame(node, newPhase, newNext, newCount, newPending, parent);
    }
}
