package dev.nbce.worker.engine;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import dev.nbce.worker.decoder.LlamaDecoder;
import dev.nbce.worker.model.ModelConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;

/**
 * How many tokens of KV cache a worker may hold: its byte budget over the bytes one token's keys and
 * values take in every layer (counted from shapes and the compute dtype, as the prefix cache counts).
 * Every layer keeps every position, so this is exact for the caches rows build. The rows' reservations
 * and the prefix cache's blocks share it.
 *
 * @param bytesPerToken K and V of one position across all layers
 * @param budgetBytes   bytes of KV cache the rows and the prefix cache together may hold
 * @param source        where the budget came from, for the worker's ready line
 */
public record KvBudget(long bytesPerToken, long budgetBytes, String source) {
    /** On a CPU without a configured budget: this share of physical memory (the rest is weights, activations, the JVM). */
    public static final double DEFAULT_MEMORY_FRACTION = 0.25;
    /** When physical memory cannot be read. */
    static final long FALLBACK_BYTES = 4L << 30;

    public KvBudget {
        if (bytesPerToken < 1 || budgetBytes < 0) {
            throw new IllegalArgumentException("KV budget: bytes per token >= 1 and budget >= 0 required");
        }
    }

    public KvBudget(long bytesPerToken, long budgetBytes) {
        this(bytesPerToken, budgetBytes, "configured");
    }

    /** 2 (K and V) x layers x kv heads x head dim x bytes of one element of the compute dtype. */
    public static long bytesPerToken(ModelConfig config, int elementBytes) {
        return 2L * config.layers() * config.kvHeads() * config.headDim() * elementBytes;
    }

    /** Tokens the budget holds, at most {@link Integer#MAX_VALUE} (announced as an int). */
    public int capacityKvTokens() {
        return (int) Math.min(Integer.MAX_VALUE, budgetBytes / bytesPerToken);
    }

    /**
     * The budget of an engine running {@code decoder} (weights loaded) within {@code limits}: the bytes
     * set, else the device's default share, on a GPU read from the device now.
     */
    public static KvBudget resolve(LlamaDecoder decoder, EngineLimits limits) {
        int elementBytes = decoder.device().dtype().getNumOfBytes();
        long perToken = bytesPerToken(decoder.config(), elementBytes);
        KvCacheSize size = limits.kvCache();
        if (size instanceof KvCacheSize.Bytes bytes) {
            return new KvBudget(perToken, bytes.bytes(), bytes.source());
        }
        if (!decoder.device().device().isGpu()) {
            return onCpu(perToken, physicalMemoryBytes());
        }
        KvCacheSize.DeviceShare share = (KvCacheSize.DeviceShare) size;
        return onGpu(perToken, share, gpuMemory(decoder.device().device(), share),
                GpuKvBudget.activationBytes(decoder.config(), elementBytes, limits, decoder.options().prefillChunkTokens()));
    }

    /** {@code memory}: the device's figures after the weights were loaded (used, and max = total). */
    static KvBudget onGpu(long perToken, KvCacheSize.DeviceShare share, MemoryUsage memory, long activationBytes) {
        double utilization = share.gpuMemoryUtilization();
        long bytes = GpuKvBudget.budgetBytes(memory.getMax(), memory.getUsed(), utilization, activationBytes);
        if (bytes < perToken) {
            throw new IllegalStateException(String.format("%s of GPU memory (%,d bytes) leaves no KV cache: %,d bytes"
                            + " are in use after the weights and a forward needs up to %,d; raise %s, lower the batch"
                            + " limits or set %s", percent(utilization), memory.getMax(), memory.getUsed(),
                    activationBytes, share.utilizationName(), share.bytesName()));
        }
        return new KvBudget(perToken, bytes, percent(utilization) + " of GPU memory less weights and activations");
    }

    static KvBudget onCpu(long perToken, long physicalBytes) {
        if (physicalBytes <= 0) {
            return new KvBudget(perToken, FALLBACK_BYTES, "4 GiB: physical memory unreadable");
        }
        return new KvBudget(perToken, (long) (physicalBytes * DEFAULT_MEMORY_FRACTION),
                percent(DEFAULT_MEMORY_FRACTION) + " of RAM");
    }

    private static String percent(double fraction) {
        return new java.text.DecimalFormat("0.#", java.text.DecimalFormatSymbols.getInstance(java.util.Locale.ROOT))
                .format(fraction * 100) + "%";
    }

    private static MemoryUsage gpuMemory(Device gpu, KvCacheSize.DeviceShare share) {
        try {
            return CudaUtils.getGpuMemory(gpu);
        } catch (RuntimeException | LinkageError e) {
            throw new IllegalStateException("cannot read the memory of " + gpu + " (" + e.getMessage() + "); set "
                    + share.bytesName(), e);
        }
    }

    private static long physicalMemoryBytes() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return -1;
    }
}
