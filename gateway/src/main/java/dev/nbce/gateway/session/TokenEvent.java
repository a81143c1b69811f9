package dev.nbce.gateway.session;

/**
 * One generated token as streamed to clients: its text delta, id, 0-based window and the context
 * that window came from (both -1: the no-context row).
 */
public record TokenEvent(String text, int tokenId, int window, int context) {}
