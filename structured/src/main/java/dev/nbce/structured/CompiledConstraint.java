package dev.nbce.structured;

import dev.nbce.structured.grammar.Matcher;
import dev.nbce.structured.grammar.Node;

/** A spec compiled to nodes, bound to one vocabulary's engine. */
final class CompiledConstraint implements TokenConstraint {
    private final ConstraintSpec spec;
    private final Node root;
    private final Engine engine;

    CompiledConstraint(ConstraintSpec spec, Node root, Engine engine) {
        this.spec = spec;
        this.root = root;
        this.engine = engine;
    }

    @Override
    public ConstraintState start() {
        return new MatchState(engine, Matcher.start(root));
    }

    @Override
    public ConstraintSpec spec() {
        return spec;
    }
}
