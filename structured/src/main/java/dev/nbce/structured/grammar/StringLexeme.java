package dev.nbce.structured.grammar;

/** A JSON string value in progress: opening quote, content (automaton + character count), closing quote. */
record StringLexeme(StringShape shape, int phase, int content, int counter, int chars) implements IntLexeme {
    static final int BEFORE_QUOTE = 0;
    static final int INSIDE = 1;
    static final int CLOSED = 2;

    @Override
    public Lexeme next(int b) {
        if (phase == BEFORE_QUOTE) {
            return b == '"' ? new StringLexeme(shape, INSIDE, 0, CharCounter.BOUNDARY, 0) : null;
        }
        if (phase == CLOSED) {
            return null;
        }
        if (b == '"' && shape.content.next(content, b) < 0) { // a raw quote in the content is always escaped
            boolean ok = shape.content.accepting(content) && chars >= shape.minLength;
            return ok ? new StringLexeme(shape, CLOSED, content, counter, chars) : null;
        }
        int t = shape.content.next(content, b);
        if (t < 0) {
            return null;
        }
        int counted = chars;
        int position = counter;
        if (shape.counts()) {
            int step = CharCounter.step(counter, b);
            position = step & 0xFF;
            if ((step & 0x100) != 0) {
                counted++;
                if (counted > shape.maxLength) {
                    return null;
                }
            }
        }
        return new StringLexeme(shape, INSIDE, t, position, counted);
    }

    @Override
    public boolean accepting() {
        return phase == CLOSED;
    }

    @Override
    public boolean canContinue() {
        return phase != CLOSED;
    }

    // Int states of a string without length limits: content states, then "closed", then "before the quote".

    @Override
    public int intState() {
        if (shape.counts()) {
            return -1;
        }
        return phase == INSIDE ? content : phase == CLOSED ? closedState() : closedState() + 1;
    }

    private int closedState() {
        return shape.content.states();
    }

    @Override
    public int intNext(int s, int b) {
        int closed = closedState();
        if (s == closed + 1) {
            return b == '"' ? 0 : -1;
        }
        if (s == closed) {
            return -1;
        }
        if (b == '"' && shape.content.next(s, b) < 0) {
            return shape.content.accepting(s) ? closed : -1;
        }
        return shape.content.next(s, b);
    }

    @Override
    public boolean intAccepting(int s) {
        return s == closedState();
    }

    @Override
    public boolean intContinues(int s) {
        return s != closedState();
    }

    @Override
    public Lexeme materialize(int s) {
        int closed = closedState();
        int p = s == closed ? CLOSED : s == closed + 1 ? BEFORE_QUOTE : INSIDE;
        return new StringLexeme(shape, p, s < closed ? s : 0, CharCounter.BOUNDARY, 0);
    }

    /** Counts far from both limits look alike to any one token. */
    @Override
    public Lexeme maskKey() {
        if (!shape.counts()) {
            return this;
        }
        int toMin = Math.min(Math.max(0, shape.minLength - chars), StringShape.LENGTH_HORIZON);
        int toMax = shape.maxLength == Integer.MAX_VALUE ? StringShape.LENGTH_HORIZON
                : Math.min(shape.maxLength - chars, StringShape.LENGTH_HORIZON);
        int normalized = chars;
        if (toMin == 0 && toMax == StringShape.LENGTH_HORIZON) {
            normalized = -1; // past the minimum, far from the maximum
        } else if (toMax == StringShape.LENGTH_HORIZON) {
            normalized = -2 - toMin;
        } else if (toMin == 0) {
            normalized = -2000 - toMax;
        }
        return new MaskKey(this, normalized);
    }

    /** A cache key standing for every string state with the same distance to its limits. */
    record MaskKey(StringLexeme state, int normalizedChars) implements Lexeme {
        @Override
        public Lexeme next(int b) {
            return state.next(b);
        }

        @Override
        public boolean accepting() {
            return state.accepting();
        }

        @Override
        public boolean canContinue() {
            return state.canContinue();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof MaskKey k && k.normalizedChars == normalizedChars && k.state.shape == state.shape
                    && k.state.phase == state.phase && k.state.content == state.content && k.state.counter == state.counter;
        }

        @Override
        public int hashCode() {
            return ((System.identityHashCode(state.shape) * 31 + state.phase) * 31 + state.content) * 31
                    + state.counter * 7 + normalizedChars;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StringLexeme s && s.shape == shape && s.phase == phase && s.content == content
                && s.counter == counter && s.chars == chars;
    }

    @Override
    public int hashCode() {
        return (((System.identityHashCode(shape) * 31 + phase) * 31 + content) * 31 + counter) * 31 + chars;
    }
}
