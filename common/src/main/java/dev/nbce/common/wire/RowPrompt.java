package dev.nbce.common.wire;

/** A row to place on a worker: its global row number and every token it must prefill. */
public record RowPrompt(int row, int[] tokenIds) {}
