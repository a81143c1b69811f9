package dev.nbce.structured.grammar;

/** A JSON string value in progress: opening quote, content (automaton + character count), closing quote. */
record StringLexeme(StringShape shape, int phase, int content, int counter, int chars) implements LongLexeme, LengthLimited {
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

    // Packed states: bits 0-19 the content state (or CLOSED_CODE / BEFORE_CODE), 20-23 the character counter,
    // 24 and up the characters so far.
    private static final int CONTENT_BITS = 20;
    private static final long CLOSED_CODE = (1 << CONTENT_BITS) - 2;
    private static final long BEFORE_CODE = (1 << CONTENT_BITS) - 1;

    @Override
    public long packed() {
        if (shape.content.states() >= CLOSED_CODE) {
            return -1;
        }
        long code = phase == INSIDE ? content : phase == CLOSED ? CLOSED_CODE : BEFORE_CODE;
        return pack(code, counter, chars);
    }

    private static long pack(long code, int position, int characters) {
        return ((long) characters << 24) | ((long) position << CONTENT_BITS) | code;
    }

    @Override
    public long packedNext(long s, int b) {
        long code = s & ((1 << CONTENT_BITS) - 1);
        int position = (int) ((s >>> CONTENT_BITS) & 0xF);
        int characters = (int) (s >>> 24);
        if (code == BEFORE_CODE) {
            return b == '"' ? pack(0, CharCounter.BOUNDARY, 0) : -1;
        }
        if (code == CLOSED_CODE) {
            return -1;
        }
        int q = (int) code;
        if (b == '"' && shape.content.next(q, b) < 0) {
            return shape.content.accepting(q) && characters >= shape.minLength ? pack(CLOSED_CODE, position, characters) : -1;
        }
        int t = shape.content.next(q, b);
        if (t < 0) {
            return -1;
        }
        if (shape.counts()) {
            int step = CharCounter.step(position, b);
            position = step & 0xFF;
            if ((step & 0x100) != 0 && ++characters > shape.maxLength) {
                return -1;
            }
        }
        return pack(t, position, characters);
    }

    @Override
    public boolean packedAccepting(long s) {
        return (s & ((1 << CONTENT_BITS) - 1)) == CLOSED_CODE;
    }

    @Override
    public boolean packedContinues(long s) {
        return (s & ((1 << CONTENT_BITS) - 1)) != CLOSED_CODE;
    }

    @Override
    public Lexeme materialize(long s) {
        long code = s & ((1 << CONTENT_BITS) - 1);
        int position = (int) ((s >>> CONTENT_BITS) & 0xF);
        int characters = (int) (s >>> 24);
        int p = code == CLOSED_CODE ? CLOSED : code == BEFORE_CODE ? BEFORE_QUOTE : INSIDE;
        return new StringLexeme(shape, p, p == INSIDE ? (int) code : 0, position, characters);
    }

    @Override
    public Lexeme unlimitedAtBoundary() {
        if (!shape.counts() || phase != INSIDE || counter != CharCounter.BOUNDARY) {
            return null;
        }
        return new StringLexeme(shape.unlimited(), INSIDE, content, CharCounter.BOUNDARY, 0);
    }

    @Override
    public int charsSoFar() {
        return chars;
    }

    @Override
    public int minLength() {
        return shape.minLength;
    }

    @Override
    public int maxLength() {
        return shape.maxLength;
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
    record MaskKey(StringLexeme state, int normalizedChars) implements LongLexeme {
        @Override
        public long packed() {
            return state.packed();
        }

        @Override
        public long packedNext(long s, int b) {
            return state.packedNext(s, b);
        }

        @Override
        public boolean packedAccepting(long s) {
            return state.packedAccepting(s);
        }

        @Override
        public boolean packedContinues(long s) {
            return state.packedContinues(s);
        }

        @Override
        public Lexeme materialize(long s) {
            return state.materialize(s);
        }

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
