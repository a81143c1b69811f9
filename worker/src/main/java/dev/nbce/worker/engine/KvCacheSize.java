package dev.nbce.worker.engine;

/**
 * What a worker's KV budget is set to: a number of bytes, or the device's default share of memory,
 * which depends on the loaded weights and is worked out by {@link KvBudget#resolve}. The launcher reads
 * it from {@code --kv-cache-bytes} / {@code --gpu-memory-utilization} or their environment variables.
 */
public sealed interface KvCacheSize {
    /** As vLLM's {@code --gpu-memory-utilization}: the share of the device this process may fill. */
    double DEFAULT_GPU_UTILIZATION = 0.9;

    /** @param source who set it, named on the worker's ready line (the variable or {@code --kv-cache-bytes}) */
    record Bytes(long bytes, String source) implements KvCacheSize {
        public Bytes {
            if (bytes < 1) {
                throw new IllegalArgumentException(source + ": the KV budget must be at least 1 byte, got " + bytes);
            }
        }
    }

    /**
     * The device's default: on a GPU {@code gpuMemoryUtilization} of its memory less what the weights
     * and one forward's activations take; on a CPU {@link KvBudget#DEFAULT_MEMORY_FRACTION} of physical
     * memory (the JVM and the OS share it, so there is no device figure to fill).
     *
     * @param utilizationName how the share is set, and {@code bytesName} how a byte budget is set instead:
     *                        named when the share leaves no room for a KV cache
     */
    record DeviceShare(double gpuMemoryUtilization, String utilizationName, String bytesName) implements KvCacheSize {
        public DeviceShare {
            if (!(gpuMemoryUtilization > 0 && gpuMemoryUtilization <= 1)) {
                throw new IllegalArgumentException("GPU memory utilization must be in (0, 1], got " + gpuMemoryUtilization);
            }
        }

        /** Set by the command-line options. */
        public DeviceShare(double gpuMemoryUtilization) {
            this(gpuMemoryUtilization, "--gpu-memory-utilization", "--kv-cache-bytes");
        }
    }

    /**
     * Bytes when {@code bytes} is set, else the device share at {@code utilization} (default
     * {@value #DEFAULT_GPU_UTILIZATION}); the names say where each value came from, for errors and the ready line.
     */
    public static KvCacheSize parse(String bytes, String bytesName, String utilization, String utilizationName) {
        double share = DEFAULT_GPU_UTILIZATION;
        if (utilization != null && !utilization.isBlank()) {
            try {
                share = Double.parseDouble(utilization.strip());
            } catch (NumberFormatException e) {
                share = Double.NaN;
            }
            if (!(share > 0 && share <= 1)) {
                throw new IllegalArgumentException(utilizationName + " must be a fraction in (0, 1], got '" + utilization + "'");
            }
        }
        if (bytes == null || bytes.isBlank()) {
            return new DeviceShare(share, utilizationName, bytesName);
        }
        try {
            long parsed = Long.parseLong(bytes.strip());
            if (parsed >= 1) {
                return new Bytes(parsed, bytesName);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(bytesName + " must be a positive number of bytes, got '" + bytes + "'");
    }
}
