package dev.nbce.structured;

import java.time.Duration;

/**
 * Bounds on compiling one constraint, so a hostile schema costs one request a clear error and never the
 * server its memory or another client its latency.
 *
 * @param maxAutomatonStates states of any one automaton (a pattern, the keys of an object)
 * @param maxTime            wall time of one compilation
 * @param cachedConstraints  compiled constraints kept for reuse (least recently used go first)
 */
public record CompileLimits(int maxAutomatonStates, Duration maxTime, int cachedConstraints) {
    public static final CompileLimits DEFAULT = new CompileLimits(20_000, Duration.ofSeconds(5), 256);

    public CompileLimits {
        if (maxAutomatonStates < 16 || maxTime.isNegative() || maxTime.isZero() || cachedConstraints < 0) {
            throw new IllegalArgumentException("compile limits out of range: " + maxAutomatonStates + ", " + maxTime + ", " + cachedConstraints);
        }
    }
}
