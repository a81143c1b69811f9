package dev.nbce.gateway.session;

import dev.nbce.common.nbce.ShardReport;
import dev.nbce.common.step.NbceParams;
import dev.nbce.common.wire.ShardStep;
import java.util.List;

/**
 * The workers' replies to one step: the reports of its position and, when the step fed drafts, of the drafted
 * positions after it (docs/speculative-decoding.md).
 */
record StepReports(List<ShardStep> replies) {
    StepReports {
        replies = List.copyOf(replies);
    }

    /** The reports of the step's own position. */
    List<ShardReport> first() {
        return replies.stream().map(ShardStep::report).toList();
    }

    /**
     * Drafted positions every reply covers: fewer than were drafted when rows were placed again during the step (an
     * open reports its own position only).
     */
    int draftedPositions() {
        return replies.stream().mapToInt(r -> r.drafted().size()).min().orElse(0);
    }

    /** The reports of drafted position {@code j} (0 = the first draft's), given the row chosen at the position before. */
    List<ShardReport> drafted(int j, int previousChosenRow, NbceParams nbce) {
        return replies.stream().map(r -> r.drafted().get(j).resolve(previousChosenRow, nbce)).toList();
    }
}
