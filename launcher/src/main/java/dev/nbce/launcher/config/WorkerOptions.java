package dev.nbce.launcher.config;

import dev.nbce.worker.decoder.DecoderOptions;
import dev.nbce.worker.decoder.PrefixCacheOptions;
import dev.nbce.worker.engine.KvCacheSize;

/** The worker's typed settings from the catalog (kept apart from the gateway's: each image has its role's classes only). */
public final class WorkerOptions {
    private WorkerOptions() {}

    /** Automatic precision and the prefill chunk of {@link Setting#PREFILL_CHUNK_TOKENS}. */
    public static DecoderOptions decoder(Settings s) {
        return DecoderOptions.DEFAULT.withPrefillChunkTokens(s.integer(Setting.PREFILL_CHUNK_TOKENS));
    }

    public static PrefixCacheOptions prefixCache(Settings s) {
        PrefixCacheOptions options = new PrefixCacheOptions(s.bool(Setting.PREFIX_CACHE),
                s.integer(Setting.PREFIX_CACHE_BLOCK_TOKENS), PrefixCacheOptions.DEFAULT_BUDGET_BYTES);
        return s.isSet(Setting.PREFIX_CACHE_BYTES) ? options.withBudgetBytes(s.longInteger(Setting.PREFIX_CACHE_BYTES)) : options;
    }

    /**
     * The KV cache budget: {@code bytesFlag} (--kv-cache-bytes) else {@link Setting#KV_CACHE_BYTES}; else the
     * device's share, {@code shareFlag} (--gpu-memory-utilization) else {@link Setting#GPU_MEMORY_UTILIZATION}.
     * Each value is checked under the name it was given by.
     */
    public static KvCacheSize kvCache(Settings s, String bytesFlag, String shareFlag) {
        return KvCacheSize.parse(
                bytesFlag != null ? bytesFlag : s.raw(Setting.KV_CACHE_BYTES),
                bytesFlag != null ? "--kv-cache-bytes" : Setting.KV_CACHE_BYTES.variable(),
                shareFlag != null ? shareFlag : s.raw(Setting.GPU_MEMORY_UTILIZATION),
                shareFlag != null ? "--gpu-memory-utilization" : Setting.GPU_MEMORY_UTILIZATION.variable());
    }

    public static long stallMillis(Settings s) {
        return s.longInteger(Setting.ENGINE_STALL_MS);
    }
}
