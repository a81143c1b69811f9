package dev.nbce.common.nbce;

import dev.nbce.common.step.Pooling;
import dev.nbce.common.step.StepParams;

/**
 * Straightforward dense implementations of docs/design.md "The NBCE step" written for the tests: full sorts, no
 * candidate selection, no shards. The production code must agree with them exactly.
 */
final class NaiveNbce {
    private NaiveNbce() {}

    /**
     * Ids by descending score, ties by ascending id (the tie rule RowScores documents): a plain
     * stable merge sort of the ids, compared with {@code <} so that -0 and +0 tie.
     */
    static int[] descending(float[] logProbs) {
        int[] order = new int[logProbs.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        int[] scratch = new int[order.length];
        for (int width = 1; width < order.length; width *= 2) {
            for (int lo = 0; lo < order.length; lo += 2 * width) {
                int mid = Math.min(lo + width, order.length);
                int hi = Math.min(lo + 2 * width, order.length);
                int a = lo;
                int b = mid;
                for (int k = lo; k < hi; k++) {
                    // take from the right run only when strictly larger: equal scores keep id order
                    scratch[k] = b < hi && (a >= mid || logProbs[order[b]] > logProbs[order[a]]) ? order[b++] : order[a++];
                }
            }
            int[] swap = order;
            order = scratch;
            scratch = swap;
        }
        return order;
    }

    /**
     * Top-p over a full descending sort, in the restated form RowScores documents: rank k kept iff
     * k = 0 or the (fixed-point, exact) mass ranked above it is below topP times the total.
     */
    static float[] topPFullSort(float[] logProbs, double topP) {
        float[] out = logProbs.clone();
        if (topP >= 1) {
            return out;
        }
        long total = 0;
        for (float l : logProbs) {
            total += RowScores.fixedMass(l);
        }
        int[] order = descending(logProbs);
        long above = 0;
        for (int k = 0; k < order.length; k++) {
            if (k > 0 && !(above < topP * total)) {
                out[order[k]] = Float.NEGATIVE_INFINITY;
            }
            above += RowScores.fixedMass(logProbs[order[k]]);
        }
        return out;
    }

    /**
     * Hugging Face TopPLogitsWarper, literally: ascending sort (ties: higher id first, so the order is
     * exactly the reverse of {@link #descending}), softmax of the sorted values, cumulative sum, remove
     * where {@code cum <= 1 - topP}, keep the last (most probable) token. Also reports the smallest
     * distance of any cumulative value to the threshold, so callers can tell rounding-sensitive inputs.
     */
    static float[] topPHuggingFace(float[] logProbs, double topP, double[] closestToThreshold) {
        float[] out = logProbs.clone();
        if (topP >= 1) {
            closestToThreshold[0] = Double.POSITIVE_INFINITY;
            return out;
        }
        int[] desc = descending(logProbs);
        int v = desc.length;
        double total = 0;
        for (float l : logProbs) {
            total += Math.exp(l);
        }
        double cum = 0;
        double closest = Double.POSITIVE_INFINITY;
        for (int i = 0; i < v; i++) {
            int id = desc[v - 1 - i]; // ascending
            cum += Math.exp(logProbs[id]) / total;
            closest = Math.min(closest, Math.abs(cum - (1 - topP)));
            if (cum <= 1 - topP && i < v - 1) {
                out[id] = Float.NEGATIVE_INFINITY;
            }
        }
        closestToThreshold[0] = closest;
        return out;
    }

    /**
     * A worker's reduction over dense truncated rows, as ShardReducer did before it scored rows sparse:
     * entropies with stickiness, the lowest-entropy context row (ties: lowest row), row 0, and under
     * average pooling the element-wise sum (-infinity wherever any row removed the token).
     */
    static ShardReport reduce(int[] rows, float[][] logits, StepParams params, int previousChosenRow) {
        boolean dense = params.topP() >= 1;
        double[] entropies = new double[rows.length];
        int bestRow = -1;
        float[] best = null;
        ScoreVector row0 = null;
        double[] sum = null;
        int sumCount = 0;
        for (int i = 0; i < rows.length; i++) {
            float[] l = topPFullSort(RowScores.logSoftmax(logits[i]), params.topP());
            entropies[i] = RowScores.entropy(l) - (rows[i] == previousChosenRow ? params.nbce().eta() : 0);
            if (rows[i] == 0) {
                row0 = ScoreVector.ofTruncated(l, dense);
                continue;
            }
            if (bestRow < 0 || entropies[i] < entropies[indexOf(rows, bestRow)]
                    || (entropies[i] == entropies[indexOf(rows, bestRow)] && rows[i] < bestRow)) {
                bestRow = rows[i];
                best = l;
            }
            sum = sum == null ? new double[l.length] : sum;
            for (int v = 0; v < l.length; v++) {
                sum[v] += l[v];
            }
            sumCount++;
        }
        boolean average = params.nbce().pooling() == Pooling.AVERAGE;
        ScoreVector summed = !average || sum == null ? null
                : dense ? new ScoreVector(sum.length, null, sum) : ScoreVector.sparseOf(sum);
        return new ShardReport(rows.clone(), entropies, bestRow,
                !average && best != null ? ScoreVector.ofTruncated(best, dense) : null, row0, summed, average ? sumCount : 0);
    }

    private static int indexOf(int[] rows, int row) {
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] == row) {
                return i;
            }
        }
        throw new IllegalArgumentException("row " + row);
    }

    record Step(int chosenRow, double[] finalScores, double[] entropies) {}

    /** One NBCE step over all rows (row 0 = no context), dense, exactly as the formula reads. */
    static Step step(float[][] logits, double topP, double beta, double eta, Pooling pooling, int previousChosenRow) {
        int rows = logits.length;
        int vocab = logits[0].length;
        float[][] l = new float[rows][];
        double[] h = new double[rows];
        for (int r = 0; r < rows; r++) {
            l[r] = topPFullSort(RowScores.logSoftmax(logits[r]), topP);
            for (float x : l[r]) {
                h[r] -= Math.exp(x) * Math.min(0, Math.max(-100, x));
            }
        }
        if (previousChosenRow >= 0) {
            h[previousChosenRow] -= eta;
        }
        if (rows == 1) {
            double[] plain = new double[vocab];
            for (int v = 0; v < vocab; v++) {
                plain[v] = l[0][v];
            }
            return new Step(0, plain, h);
        }
        int k = 1;
        for (int r = 2; r < rows; r++) {
            if (h[r] < h[k]) {
                k = r;
            }
        }
        double[] pooled = new double[vocab];
        for (int v = 0; v < vocab; v++) {
            if (pooling == Pooling.MIN_ENTROPY) {
                pooled[v] = l[k][v];
            } else {
                double sum = 0;
                for (int r = 1; r < rows; r++) {
                    sum += l[r][v];
                }
                pooled[v] = sum / (rows - 1);
            }
        }
        double[] fin = new double[vocab];
        for (int v = 0; v < vocab; v++) {
            fin[v] = l[0][v] > -100 ? (1 + beta) * pooled[v] - beta * l[0][v] : pooled[v];
        }
        return new Step(k, fin, h);
    }
}
