package dev.nbce.worker.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.nbce.worker.model.ModelConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One attention group's state for one step: its members' gathered past, its masks and layouts, and
 * the new keys and values it produces layer by layer until they are written to the members' caches.
 */
final class GroupAttention {
    private final AttentionGroup group;
    private final ModelConfig config;
    private final Layouts layouts;
    /** {@code [layers, 2, members, kv, past, dim]}, or null when no member has a past. */
    private final NDArray past;
    /** Per distinct layer window (0 = full attention): the additive masks of that attention. */
    private final Map<Integer, Masks> masks = new HashMap<>();
    /** Per layer: K then V, each {@code [members, kv, q, dim]}. */
    private final NDList newKv;

    GroupAttention(AttentionGroup group, List<RowCache> rows, ModelConfig config, DataType dtype, NDManager step) {
        this.group = group;
        this.config = config;
        this.layouts = new Layouts(group, step);
        this.past = group.past == 0 ? null : gatherPast(rows);
        for (int layer = 0; layer < config.layers(); layer++) {
            masks.computeIfAbsent(config.windowOf(layer), window -> masks(window, dtype, step));
        }
        this.newKv = new NDList(2 * config.layers());
    }

    /** A layer's masks: past {@code [members, 1, 1, 1 or q, past]} and causal {@code [group * q, q]}, either may be null. */
    private record Masks(NDArray past, NDArray causal) {
    }

    private Masks masks(int window, DataType dtype, NDManager step) {
        NDArray pastMask = group.past == 0 || !group.pastMaskNeeded(window) ? null
                : step.create(group.pastMask(window),
                        new Shape(group.size(), 1, 1, group.pastMaskQueries(window), group.past)).toType(dtype, false);
        NDArray causalMask = group.q == 1 ? null
                : step.create(group.causalMask(config.groupSize(), window),
                        new Shape((long) config.groupSize() * group.q, group.q)).toType(dtype, false);
        return new Masks(pastMask, causalMask);
    }

    /**
     * Stacks the members' cache windows into {@code [layers, 2, members, kv, past, dim]} (members
     * inside, so each layer's K or V is a contiguous {@code [members, kv, past, dim]}). A window is
     * zero past its row's length, which keeps masked scores finite. This copies each cache once per
     * step, the same bytes attention reads anyway; a batch-wide cache would avoid the copy but would
     * tie rows to batch slots.
     */
    private NDArray gatherPast(List<RowCache> rows) {
        if (group.size() == 1) {
            // One member (e.g. a long prefill): a view of its cache, no copy.
            return rows.get(group.members[0]).window(group.past).expandDims(2);
        }
        NDList windows = new NDList(group.size());
        for (int member : group.members) {
            windows.add(rows.get(member).window(group.past));                 // [layers, 2, kv, past, dim]
        }
        return NDArrays.stack(windows, 2);
    }

    /**
     * Attention of layer {@code layer} for this group's tokens.
     *
     * @param qk {@code [tokens, heads + kv, dim]} query and key heads after RoPE, packed
     * @param v {@code [tokens, kv, dim]} value heads, packed
     * @param scope the layer's scope; the new keys and values are kept past it
     * @return {@code [tokens, heads * dim]}, packed
     */
    NDArray attend(int layer, NDArray qk, NDArray v, LayerScope scope) {
        // [members, q, heads + kv, dim] -> [members, heads + kv, q, dim]
        NDList qAndK = layouts.padded(qk).transpose(0, 2, 1, 3).split(new long[] {config.heads()}, 1);
        NDArray k = qAndK.get(1);                                               // [members, kv, q, dim]
        NDArray values = layouts.padded(v).transpose(0, 2, 1, 3);              // [members, kv, q, dim]
        // They outlive the layer: written to the caches when the step completes.
        newKv.add(scope.keep(k));
        newKv.add(scope.keep(values));
        NDArray pastK = past == null ? null : past.get(new NDIndex(layer, 0)); // [members, kv, past, dim]
        NDArray pastV = past == null ? null : past.get(new NDIndex(layer, 1));
        Masks m = masks.get(config.windowOf(layer));
        // [members, q, heads * dim] -> [tokens, heads * dim]
        return layouts.packed(Attention.attend(qAndK.get(0), k, values, pastK, pastV, m.past(), m.causal(),
                config.kvHeads()));
    }

    /** Writes the step's new K/V into each member's own cache (per-row slicing; no model math). */
    void appendToCaches(List<RowCache> rows, List<int[]> tokens) {
        // 2 * layers x [members, kv, q, dim] -> [layers, 2, members, kv, q, dim]
        NDArray stacked = NDArrays.stack(newKv, 0).reshape(config.layers(), 2, group.size(), config.kvHeads(),
                group.q, config.headDim());
        for (int m = 0; m < group.size(); m++) {
            // [layers, 2, kv, q, dim]
            rows.get(group.members[m]).append(stacked.get(new NDIndex().addAllDim(2).addIndices(m)),
                    tokens.get(group.members[m]));
        }
    }
}
