package dev.nbce.worker.engine;

/**
 * Raw logits of a healthy model are finite. A NaN or an infinity (an overflow in reduced precision,
 * a corrupt checkpoint) would flow through log-softmax, top-p and the entropy into a different
 * answer without any error, so rows are checked before they are reduced: one pass over the row,
 * negligible beside the forward that produced it.
 */
final class LogitsCheck {
    private LogitsCheck() {
    }

    /** The first token whose logit is NaN or infinite, or -1 when the row is finite. */
    static int firstNonFinite(float[] logits) {
        for (int v = 0; v < logits.length; v++) {
            if (!Float.isFinite(logits[v])) {
                return v;
            }
        }
        return -1;
    }

    /** A one-line description of the first non-finite logit of {@code rows}, or null when all are finite. */
    static String describe(float[][] rows, int[] rowIndices) {
        for (int r = 0; r < rows.length; r++) {
            int v = firstNonFinite(rows[r]);
            if (v >= 0) {
                return "non-finite logit " + rows[r][v] + " for token " + v + " in row " + rowIndices[r];
            }
        }
        return null;
    }
}
