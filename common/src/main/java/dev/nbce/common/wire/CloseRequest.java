package dev.nbce.common.wire;

/** Frees a request's rows on a worker (finished, cancelled or failed). */
public record CloseRequest(String requestId) {}
