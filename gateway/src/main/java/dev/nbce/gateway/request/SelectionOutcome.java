package dev.nbce.gateway.request;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;

/**
 * What a request's window selection did (docs/api.md: Result, docs/nbce-modes.md).
 *
 * @param rule          the selection rule's wire name
 * @param keptWindows   the 0-based windows that kept decoding, ascending
 * @param droppedAtStep the first step the other windows did not report on (0: they were never prefilled); -1 when
 *                      no window was dropped (the request had no more windows than it keeps, or ended first)
 */
public record SelectionOutcome(String rule, int[] keptWindows, int droppedAtStep) {
    public SelectionOutcome {
        if (rule == null || keptWindows == null || droppedAtStep < -1) {
            throw new IllegalArgumentException("selection outcome: rule, kept windows and a step >= -1 are required");
        }
        keptWindows = keptWindows.clone();
    }

    @Override
    public int[] keptWindows() {
        return keptWindows.clone();
    }

    /** {rule, kept_windows: […], dropped_at_step} (dropped_at_step absent when nothing was dropped). */
    public ObjectNode toJson() {
        ObjectNode node = Json.MAPPER.createObjectNode().put("rule", rule);
        ArrayNode kept = node.putArray("kept_windows");
        Arrays.stream(keptWindows).forEach(kept::add);
        if (droppedAtStep >= 0) {
            node.put("dropped_at_step", droppedAtStep);
        }
        return node;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SelectionOutcome s && s.rule.equals(rule) && Arrays.equals(s.keptWindows, keptWindows)
                && s.droppedAtStep == droppedAtStep;
    }

    @Override
    public int hashCode() {
        return (rule.hashCode() * 31 + Arrays.hashCode(keptWindows)) * 31 + droppedAtStep;
    }

    @Override
    public String toString() {
        return "SelectionOutcome[rule=" + rule + ", keptWindows=" + Arrays.toString(keptWindows) + ", droppedAtStep="
                + droppedAtStep + "]";
    }
}
