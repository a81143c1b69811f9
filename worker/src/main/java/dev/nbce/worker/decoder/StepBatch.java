package dev.nbce.worker.decoder;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The Java-side layout of one batched step.
 *
 * <p>Per-token work (embedding, norms, projections, MLP) runs once on all rows' real new tokens
 * packed end to end, {@code [tokens, ...]}, so no compute is spent on padding. Attention needs rows
 * apart and padded; rows are split into at most two {@link AttentionGroup}s, single-token decodes
 * and multi-token prefills, so that one long prefill in a step does not pad every decoding row to
 * its length. Packed order is group order; results are returned in the caller's row order.
 */
final class StepBatch {
    final int rows;
    final int tokens;
    final List<AttentionGroup> groups;
    private final List<int[]> newTokens;
    private final int[] pastLengths;
    /** Each caller row's first new token in packed order. */
    private final int[] tokenOffsets;
    private final int[] counts;

    private StepBatch(List<int[]> newTokens, int[] pastLengths) {
        this.rows = newTokens.size();
        this.newTokens = newTokens;
        this.pastLengths = pastLengths;
        this.counts = newTokens.stream().mapToInt(t -> t.length).toArray();
        List<AttentionGroup> groups = new ArrayList<>(2);
        int firstToken = 0;
        for (boolean decode : new boolean[] {true, false}) {
            int[] members = IntStream.range(0, rows)
                    .filter(i -> (counts[i] == 1) == decode).toArray();
            if (members.length == 0) {
                continue;
            }
            int[] memberCounts = new int[members.length];
            int[] memberPast = new int[members.length];
            for (int m = 0; m < members.length; m++) {
                memberCounts[m] = counts[members[m]];
                memberPast[m] = pastLengths[members[m]];
            }
            AttentionGroup group = new AttentionGroup(members, firstToken, memberCounts, memberPast);
            groups.add(group);
            firstToken += group.tokens;
        }
        this.groups = List.copyOf(groups);
        this.tokens = firstToken;
        this.tokenOffsets = new int[rows];
        for (AttentionGroup g : this.groups) {
            for (int m = 0; m < g.size(); m++) {
                tokenOffsets[g.members[m]] = g.tokenOffset(m);
            }
        }
    }

    /** Validates the request: same number of rows and token arrays, rows open, distinct, of this model. */
    static StepBatch of(List<RowCache> rows, List<int[]> tokens, LlamaWeights weights) {
        if (rows.size() != tokens.size()) {
            throw new IllegalArgumentException(rows.size() + " rows but " + tokens.size() + " token arrays");
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("a step needs at least one row");
        }
        int vocab = weights.config().vocab();
        Set<RowCache> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        int[] pastLengths = new int[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            RowCache row = rows.get(i);
            int[] ids = tokens.get(i);
            if (row.isClosed() || row.owner() != weights) {
                throw new IllegalArgumentException("row " + i + " is closed or belongs to another decoder");
            }
            if (!seen.add(row)) {
                throw new IllegalArgumentException("row " + i + " appears twice in one step");
            }
            if (ids == null || ids.length == 0) {
                throw new IllegalArgumentException("row " + i + " has no new tokens");
            }
            for (int id : ids) {
                if (id < 0 || id >= vocab) {
                    throw new IllegalArgumentException("row " + i + ": token id " + id + " outside vocabulary of " + vocab);
                }
            }
            pastLengths[i] = row.length();
        }
        return new StepBatch(List.copyOf(tokens), pastLengths);
    }

    /** {@code [tokens]} the new token ids in packed order. */
    long[] packedIds() {
        long[] ids = new long[tokens];
        for (int i = 0; i < rows; i++) {
            int[] row = newTokens.get(i);
            for (int j = 0; j < row.length; j++) {
                ids[tokenOffsets[i] + j] = row[j];
            }
        }
        return ids;
    }

    /** {@code [tokens]} absolute positions: each row continues from its own cached length. */
    float[] packedPositions() {
        float[] positions = new float[tokens];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < counts[i]; j++) {
                positions[tokenOffsets[i] + j] = pastLengths[i] + j;
            }
        }
        return positions;
    }

    /**
     * {@code [sum of tails]}: the packed index of each caller row's last {@code tails[i]} new tokens, in caller row
     * order and position order (the positions whose logits the step returns).
     */
    long[] tailTokens(int[] tails) {
        long[] picked = new long[java.util.Arrays.stream(tails).sum()];
        int k = 0;
        for (int i = 0; i < rows; i++) {
            for (int j = counts[i] - tails[i]; j < counts[i]; j++) {
                picked[k++] = tokenOffsets[i] + j;
            }
        }
        return picked;
    }
}
