package dev.nbce.worker.engine;

/** Rows of an open being prefilled across loops: how much of each row's prompt is in its cache. */
final class Prefill {
    final Pending pending;
    final int[] fed;
    final float[][] lastLogits;

    Prefill(Pending pending) {
        this.pending = pending;
        this.fed = new int[pending.positions().size()];
        this.lastLogits = new float[fed.length][];
    }

    String requestId() {
        return pending.requestId();
    }

    /** Records that {@code tokens} more of row {@code row}'s prompt went in, ending at {@code logits}. */
    void fed(int row, int tokens, float[] logits) {
        fed[row] += tokens;
        lastLogits[row] = logits;
    }

    boolean done() {
        for (int i = 0; i < fed.length; i++) {
            if (fed[i] < pending.tokens().get(i).length) {
                return false;
            }
        }
        return true;
    }
}
