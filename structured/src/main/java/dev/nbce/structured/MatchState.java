package dev.nbce.structured;

import dev.nbce.structured.grammar.Config;
import dev.nbce.structured.grammar.Matcher;
import java.util.List;

/** The configurations the output so far allows; immutable. */
final class MatchState implements ConstraintState {
    private final Engine engine;
    private final List<Config> configs;

    MatchState(Engine engine, List<Config> configs) {
        this.engine = engine;
        this.configs = configs;
    }

    @Override
    public void fillAllowed(long[] mask) {
        int words = (engine.vocab().size() + 63) >>> 6;
        if (mask.length < words) {
            throw new IllegalArgumentException("mask has " + mask.length + " words, the vocabulary needs " + words);
        }
        engine.maskBuilder().fill(configs, mask);
        if (!engine.vocab().spellsEveryByte()) {
            engine.vocab().clearMidCharacter(mask);
        }
    }

    @Override
    public boolean canEnd() {
        for (Config c : configs) {
            if (Matcher.accepting(c)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean mustEnd() {
        if (!canEnd()) {
            return false;
        }
        for (int b = 0; b < 256; b++) {
            if (!Matcher.feed(configs, b).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public ConstraintState advance(int tokenId) {
        List<Config> next = run(tokenId);
        if (next.isEmpty()) {
            throw new IllegalArgumentException("token " + tokenId + " is not allowed here");
        }
        return new MatchState(engine, next);
    }

    @Override
    public boolean allows(int tokenId) {
        return !run(tokenId).isEmpty();
    }

    private List<Config> run(int tokenId) {
        if (!engine.vocab().isText(tokenId)
                || (!engine.vocab().spellsEveryByte() && engine.vocab().endsMidCharacter(tokenId))) {
            return List.of();
        }
        return Matcher.run(configs, engine.vocab().bytes(tokenId));
    }
}
