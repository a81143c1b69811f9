package dev.nbce.worker.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/**
 * Grouped-query attention of a batch of rows over their padded pasts and their new tokens.
 *
 * <p>Key/value heads are never repeated: the {@code group} query heads that share one KV head
 * ({@code h = kv * group + g}, HF's {@code repeat_kv} order) are folded into the query axis, so the
 * cache is read once per KV head. Past and new keys are scored separately, which spares a copy of
 * the past into a {@code [past | new]} tensor; only the small score matrices are concatenated.
 */
final class Attention {
    private Attention() {
    }

    /**
     * @param q {@code [B, heads, q, dim]}, after RoPE
     * @param k {@code [B, kvHeads, q, dim]} the new keys, after RoPE
     * @param v {@code [B, kvHeads, q, dim]} the new values
     * @param pastK {@code [B, kvHeads, past, dim]} or null when no row has a past
     * @param pastV {@code [B, kvHeads, past, dim]} or null
     * @param pastMask additive {@code [B, 1, 1, 1 or q, past]} (padding, sliding window) or null
     *     when it would hide nothing
     * @param causalMask additive {@code [group * q, q]} or null when {@code q == 1}
     * @return {@code [B, q, heads * dim]}
     */
    static NDArray attend(NDArray q, NDArray k, NDArray v, NDArray pastK, NDArray pastV,
                          NDArray pastMask, NDArray causalMask, int kvHeads) {
        long batch = q.getShape().get(0);
        long heads = q.getShape().get(1);
        long steps = q.getShape().get(2);
        long dim = q.getShape().get(3);
        long group = heads / kvHeads;

        // [B, heads, q, dim] -> [B, kvHeads, group * q, dim]
        NDArray grouped = q.mul(1.0 / Math.sqrt(dim)).reshape(batch, kvHeads, group * steps, dim);

        // [B, kv, group*q, dim] x [B, kv, dim, q] -> [B, kv, group*q, q]
        NDArray scores = grouped.matMul(k.transpose(0, 1, 3, 2));
        if (causalMask != null) {
            scores = scores.add(causalMask);
        }
        long past = 0;
        if (pastK != null) {
            past = pastK.getShape().get(2);
            // [B, kv, group*q, dim] x [B, kv, dim, past] -> [B, kv, group*q, past]
            NDArray pastScores = grouped.matMul(pastK.transpose(0, 1, 3, 2));
            if (pastMask != null) {
                // [B, kv, group, q, past] + [B, 1, 1, 1 or q, past]
                NDArray masked = pastScores.reshape(batch, kvHeads, group, steps, past).add(pastMask)
                        .reshape(batch, kvHeads, group * steps, past);
                pastScores.close();
                pastScores = masked;
            }
            // [B, kv, group*q, past + q]; the largest temporaries of a step, freed as soon as used
            NDArray all = pastScores.concat(scores, 3);
            pastScores.close();
            scores = all;
        }
        NDArray weights = Ops.softmax(scores, 3);
        scores.close();

        NDArray out;
        if (pastK == null) {
            // [B, kv, group*q, q] x [B, kv, q, dim] -> [B, kv, group*q, dim]
            out = weights.matMul(v);
        } else {
            NDArray pastWeights = weights.get(new NDIndex().addAllDim(3).addSliceDim(0, past));
            NDArray newWeights = weights.get(new NDIndex().addAllDim(3).addSliceDim(past, past + steps));
            // [B, kv, group*q, past] x [B, kv, past, dim] + [B, kv, group*q, q] x [B, kv, q, dim]
            out = pastWeights.matMul(pastV).add(newWeights.matMul(v));
            pastWeights.close();
        }
        weights.close();
        // [B, kv, group*q, dim] -> [B, heads, q, dim] -> [B, q, heads, dim] -> [B, q, heads*dim]
        return out.reshape(batch, heads, steps, dim).transpose(0, 2, 1, 3).reshape(batch, steps, heads * dim);
    }
}
