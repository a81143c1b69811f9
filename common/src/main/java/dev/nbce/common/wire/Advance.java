package dev.nbce.common.wire;

/** The token chosen at step {@code step - 1} (drawn from {@code chosenRow}); the reply is the report for {@code step}. */
public record Advance(String requestId, int step, int token, int chosenRow) {}
