package dev.nbce.gateway.session;

/** One generated token as streamed to clients: its text delta, id and 0-based window (-1: no context). */
public record TokenEvent(String text, int tokenId, int window) {}
