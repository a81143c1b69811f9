package dev.nbce.launcher.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.gateway.http.HttpSettings;
import dev.nbce.gateway.service.GatewayLimits;
import dev.nbce.worker.EngineWatchdog;
import dev.nbce.worker.decoder.DecoderOptions;
import dev.nbce.worker.decoder.PrefixCacheOptions;
import dev.nbce.worker.engine.KvCacheSize;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The typed values the launcher hands the gateway and the worker, read from the environment. */
class OptionsTest {
    private static KvCacheSize kvCache(Map<String, String> env) {
        return WorkerOptions.kvCache(Settings.of(env), null, null);
    }

    private static KvCacheSize.DeviceShare share(double utilization) {
        return new KvCacheSize.DeviceShare(utilization, "NBCE_GPU_MEMORY_UTILIZATION", "NBCE_KV_CACHE_BYTES");
    }

    @Test
    void withNothingSetTheCatalogGivesTheRecordsDefaults() {
        Settings none = Settings.of(Map.of());
        assertEquals(GatewayLimits.DEFAULT, GatewayOptions.limits(none));
        assertEquals(HttpSettings.DEFAULT, GatewayOptions.http(none));
        assertEquals(0, GatewayOptions.windowTokens(none), "the model's own default");
        assertEquals(DecoderOptions.DEFAULT, WorkerOptions.decoder(none));
        assertEquals(PrefixCacheOptions.DEFAULT, WorkerOptions.prefixCache(none));
        assertEquals(EngineWatchdog.DEFAULT_STALL_MILLIS, WorkerOptions.stallMillis(none));
        assertEquals(KvCacheSize.DEFAULT_GPU_UTILIZATION, Double.parseDouble(Setting.GPU_MEMORY_UTILIZATION.spec().defaultValue()));
    }

    @Test
    void prefixCacheFromTheEnvironment() {
        assertEquals(false, WorkerOptions.prefixCache(Settings.of(Map.of("NBCE_PREFIX_CACHE", "false"))).enabled());
        PrefixCacheOptions capped = WorkerOptions.prefixCache(Settings.of(Map.of("NBCE_PREFIX_CACHE", "true",
                "NBCE_PREFIX_CACHE_BYTES", "1024", "NBCE_PREFIX_CACHE_BLOCK_TOKENS", "32")));
        assertEquals(1024, capped.budgetBytes());
        assertEquals(32, capped.blockTokens());
    }

    @Test
    void kvBytesWhenSetElseTheDeviceShare() {
        assertEquals(new KvCacheSize.Bytes(1L << 30, "NBCE_KV_CACHE_BYTES"),
                kvCache(Map.of("NBCE_KV_CACHE_BYTES", "1073741824", "NBCE_GPU_MEMORY_UTILIZATION", "0.5")),
                "bytes win over the share");
        assertEquals(share(0.9), kvCache(Map.of()), "vLLM's default");
        assertEquals(share(0.9), kvCache(Map.of("NBCE_KV_CACHE_BYTES", " ")));
        assertEquals(share(0.5), kvCache(Map.of("NBCE_GPU_MEMORY_UTILIZATION", "0.5")));
        assertEquals(share(1.0), kvCache(Map.of("NBCE_GPU_MEMORY_UTILIZATION", "1")));
        assertEquals(new KvCacheSize.Bytes(4096, "--kv-cache-bytes"),
                WorkerOptions.kvCache(Settings.of(Map.of("NBCE_KV_CACHE_BYTES", "1")), "4096", null), "the option wins");
    }

    @Test
    void badKvValuesNameTheirVariable() {
        for (String bad : new String[] {"0", "-0.1", "1.01", "90%", "NaN", "abc"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> kvCache(Map.of("NBCE_GPU_MEMORY_UTILIZATION", bad)));
            assertTrue(e.getMessage().startsWith("NBCE_GPU_MEMORY_UTILIZATION must be a fraction in (0, 1], got '" + bad + "'"),
                    e.getMessage());
            IllegalArgumentException catalog = assertThrows(IllegalArgumentException.class,
                    () -> Settings.of(Map.of("NBCE_GPU_MEMORY_UTILIZATION", bad)).fraction(Setting.GPU_MEMORY_UTILIZATION));
            assertEquals(e.getMessage(), catalog.getMessage(), "the catalog says the same");
        }
        for (String bad : new String[] {"0", "-1", "4GiB"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> kvCache(Map.of("NBCE_KV_CACHE_BYTES", bad)));
            assertTrue(e.getMessage().startsWith("NBCE_KV_CACHE_BYTES must be a positive number of bytes"), e.getMessage());
            IllegalArgumentException catalog = assertThrows(IllegalArgumentException.class,
                    () -> Settings.of(Map.of("NBCE_KV_CACHE_BYTES", bad)).longInteger(Setting.KV_CACHE_BYTES));
            assertEquals(e.getMessage(), catalog.getMessage(), "the catalog says the same");
        }
    }
}
