package dev.nbce.structured.automaton;

/** Caps one compilation: automaton states and wall time. Checked often; exceeding it is a CompileException. */
public final class Budget {
    private final int maxStates;
    private final long deadlineNanos;

    public Budget(int maxStates, long maxNanos) {
        this.maxStates = maxStates;
        this.deadlineNanos = System.nanoTime() + maxNanos;
    }

    public static Budget unlimited() {
        return new Budget(Integer.MAX_VALUE, Long.MAX_VALUE / 4);
    }

    public void checkStates(int states, String what) {
        if (states > maxStates) {
            throw new CompileException("", what + " needs more than " + maxStates + " automaton states; simplify it");
        }
        checkTime();
    }

    public void checkTime() {
        if (System.nanoTime() > deadlineNanos) {
            throw new CompileException("", "the constraint took too long to compile; simplify it");
        }
    }
}
