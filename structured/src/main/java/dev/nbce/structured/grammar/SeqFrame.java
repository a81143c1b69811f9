package dev.nbce.structured.grammar;

import java.util.List;

/** Inside a sequence: the index of the part after the one in progress. */
record SeqFrame(Node.Seq node, int next, Frame parent) implements Frame {
    @Override
    public List<Config> onByte(int b) {
        return List.of();
    }

    @Override
    public List<Config> afterValue() {
        if (next < node.parts().size()) {
            return Matcher.expect(node.parts().get(next), new SeqFrame(node, next + 1, parent));
        }
        return parent.afterValue();
    }
}
