package dev.nbce.common.nbce;

/**
 * One row after steps 1–3 (docs/design.md, The NBCE step).
 *
 * @param scores  its truncated log-probs: sparse (the kept tokens) unless top-p is off
 * @param entropy H of the truncated, not renormalised row, before stickiness
 */
public record ScoredRow(ScoreVector scores, double entropy) {}
