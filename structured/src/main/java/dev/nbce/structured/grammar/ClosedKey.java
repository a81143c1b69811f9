package dev.nbce.structured.grammar;

/** A key that has ended: which declared property it named (&ge; 0), or {@code -1 - m} for another key matching patterns m. */
interface ClosedKey {
    int result();
}
