package dev.nbce.structured.grammar;

import java.util.List;

/** What the matcher returns to when the value or terminal in progress ends: a persistent stack. */
interface Frame {

    /** The frame consumes byte {@code b} itself (no terminal in progress). */
    List<Config> onByte(int b);

    /** A value inside this frame ended; the configurations that follow, before any further byte. */
    List<Config> afterValue();

    /** A terminal pushed by this frame ended (a key, a separator, or a value). */
    default List<Config> afterLexeme(Lexeme done) {
        return afterValue();
    }

    /** The whole output is complete. */
    default boolean isDone() {
        return false;
    }

    /** The end of the output: nothing may follow. */
    Frame DONE = new Frame() {
        @Override
        public List<Config> onByte(int b) {
            return List.of();
        }

        @Override
        public List<Config> afterValue() {
            return List.of();
        }

        @Override
        public boolean isDone() {
            return true;
        }
    };

    /** Under the top value: its end is the end of the output. */
    Frame ROOT = new Frame() {
        @Override
        public List<Config> onByte(int b) {
            return List.of();
        }

        @Override
        public List<Config> afterValue() {
            return List.of(new Config(null, DONE));
        }
    };
}
