package dev.nbce.worker.engine;

import dev.nbce.worker.model.ModelConfig;
import java.lang.management.ManagementFactory;

/**
 * How many tokens of KV cache a worker may hold: its byte budget over the bytes one token's keys and
 * values take in every layer (counted from shapes and the compute dtype, as the prefix cache counts).
 * Every layer keeps every position, so this is exact for the caches rows build.
 *
 * @param bytesPerToken K and V of one position across all layers
 * @param budgetBytes   bytes of KV cache the rows together may hold
 */
public record KvBudget(long bytesPerToken, long budgetBytes) {
    public static final String BYTES_ENV = "NBCE_KV_CACHE_BYTES";
    /** Without {@value #BYTES_ENV}: this share of physical memory (the rest is weights, activations, the JVM). */
    public static final double DEFAULT_MEMORY_FRACTION = 0.25;
    /** When physical memory cannot be read. */
    static final long FALLBACK_BYTES = 4L << 30;

    public KvBudget {
        if (bytesPerToken < 1 || budgetBytes < 0) {
            throw new IllegalArgumentException("KV budget: bytes per token >= 1 and budget >= 0 required");
        }
    }

    /** 2 (K and V) x layers x kv heads x head dim x bytes of one element of the compute dtype. */
    public static long bytesPerToken(ModelConfig config, int elementBytes) {
        return 2L * config.layers() * config.kvHeads() * config.headDim() * elementBytes;
    }

    /** Tokens the budget holds, at most {@link Integer#MAX_VALUE} (announced as an int). */
    public int capacityTokens() {
        return (int) Math.min(Integer.MAX_VALUE, budgetBytes / bytesPerToken);
    }

    /** Bytes from {@value #BYTES_ENV}, else {@link #DEFAULT_MEMORY_FRACTION} of physical memory. */
    public static long budgetBytesFromEnvironment() {
        return parseBudgetBytes(System.getenv(BYTES_ENV), physicalMemoryBytes());
    }

    static long parseBudgetBytes(String configured, long physicalBytes) {
        if (configured == null || configured.isBlank()) {
            return physicalBytes > 0 ? (long) (physicalBytes * DEFAULT_MEMORY_FRACTION) : FALLBACK_BYTES;
        }
        try {
            long bytes = Long.parseLong(configured.trim());
            if (bytes < 1) {
                throw new NumberFormatException("must be at least 1");
            }
            return bytes;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(BYTES_ENV + "=" + configured + ": a positive number of bytes", e);
        }
    }

    private static long physicalMemoryBytes() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return -1;
    }
}
