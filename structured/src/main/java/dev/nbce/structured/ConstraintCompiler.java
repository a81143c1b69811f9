package dev.nbce.structured;

import dev.nbce.structured.vocab.TokenBytes;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Compiles constraints for one vocabulary and keeps the last few, keyed by their JSON form: a schema sent
 * with every request of an agent is compiled once. Thread-safe; compile off any event loop.
 */
public final class ConstraintCompiler {
    private final TokenBytes vocab;
    private final Engine engine;
    private final CompileLimits limits;
    private final Map<String, TokenConstraint> cache;

    public ConstraintCompiler(TokenBytes vocab, CompileLimits limits) {
        this.vocab = vocab;
        this.engine = new Engine(vocab);
        this.limits = limits;
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, TokenConstraint> eldest) {
                return size() > limits.cachedConstraints();
            }
        };
    }

    public TokenBytes vocabulary() {
        return vocab;
    }

    /** The compiled constraint, from the cache when the same spec was compiled before. */
    public TokenConstraint compile(ConstraintSpec spec) throws ConstraintException {
        String key = spec.toJson();
        synchronized (cache) {
            TokenConstraint hit = cache.get(key);
            if (hit != null) {
                return hit;
            }
        }
        TokenConstraint built = engine.compile(spec, limits);
        synchronized (cache) {
            cache.put(key, built);
        }
        return built;
    }
}
