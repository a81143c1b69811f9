package dev.nbce.structured;

import dev.nbce.structured.vocab.TokenBytes;

/** Placeholder until the matcher lands (same session): every spec is refused. */
final class Engine {
    private Engine() {}

    static TokenConstraint compile(ConstraintSpec spec, TokenBytes vocab, CompileLimits limits) throws ConstraintException {
        throw new ConstraintException("", "structured output is not built yet");
    }
}
