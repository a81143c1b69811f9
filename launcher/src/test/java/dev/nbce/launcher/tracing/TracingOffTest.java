package dev.nbce.launcher.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.launcher.config.Settings;
import java.io.File;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Tracing is off by default and then costs nothing: no OpenTelemetry class is loaded. Checked in a class loader of its
 * own over this test's class path that records every class it loads.
 */
class TracingOffTest {
    @Test
    void offUnlessAnExporterIsNamed() {
        assertSame(Tracing.OFF, Tracing.from(Settings.of(Map.of()), "nbce-gateway"));
        assertSame(Tracing.OFF, Tracing.from(Settings.of(Map.of("OTEL_TRACES_EXPORTER", "none")), "nbce-gateway"));
        assertSame(Tracing.OFF, Tracing.from(Settings.of(Map.of("OTEL_TRACES_EXPORTER", "otlp", "OTEL_SDK_DISABLED", "true")),
                "nbce-gateway"));
        try (Tracing on = Tracing.from(Settings.of(Map.of("OTEL_TRACES_EXPORTER", "memory")), "nbce-gateway")) {
            assertTrue(on.on());
        }
    }

    @Test
    void aBadOtelSettingFailsAtStart() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tracing.from(Settings.of(Map.of("OTEL_TRACES_EXPORTER", "nosuchexporter")), "nbce-worker"));
        assertTrue(e.getMessage().contains("nosuchexporter"), e.getMessage());
    }

    @Test
    void offLoadsNoOpenTelemetryClass() throws Exception {
        try (RecordingLoader loader = new RecordingLoader()) {
            // Every class that reaches Tracing: the nodes, the commands, the adapters; all linked and initialized.
            for (String name : List.of("dev.nbce.launcher.cluster.GatewayNode", "dev.nbce.launcher.cluster.WorkerNode",
                    "dev.nbce.launcher.cluster.ClusterBackend", "dev.nbce.launcher.GatewayCommand",
                    "dev.nbce.launcher.WorkerCommand", "dev.nbce.launcher.tracing.TracedService")) {
                Class.forName(name, true, loader);
            }
            Object off = tracingFrom(loader, Map.of());
            Class<?> tracing = Class.forName("dev.nbce.launcher.tracing.Tracing", true, loader);
            assertEquals(false, tracing.getMethod("on").invoke(off));
            Class.forName("dev.nbce.launcher.tracing.TracedOpens", true, loader).getMethod("of", tracing).invoke(null, off);
            assertEquals(List.of(), loader.openTelemetryClasses(), "tracing off");

            // The same check sees the SDK once tracing is on.
            Object on = tracingFrom(loader, Map.of("OTEL_TRACES_EXPORTER", "logging"));
            assertFalse(loader.openTelemetryClasses().isEmpty(), "tracing on loads the SDK");
            tracing.getMethod("close").invoke(on);
        }
    }

    private static Object tracingFrom(ClassLoader loader, Map<String, String> env) throws Exception {
        Class<?> settings = Class.forName("dev.nbce.launcher.config.Settings", true, loader);
        Object given = settings.getMethod("of", Map.class).invoke(null, env);
        Method from = Class.forName("dev.nbce.launcher.tracing.Tracing", true, loader).getMethod("from", settings, String.class);
        return from.invoke(null, given, "nbce-gateway");
    }

    /** This test's class path in a loader of its own (the platform's classes from its parent) that names what it loads. */
    private static final class RecordingLoader extends URLClassLoader {
        private final Set<String> loaded = ConcurrentHashMap.newKeySet();

        RecordingLoader() {
            super(classPath(), ClassLoader.getPlatformClassLoader());
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            loaded.add(name);
            return super.findClass(name);
        }

        List<String> openTelemetryClasses() {
            return loaded.stream().filter(n -> n.startsWith("io.opentelemetry.")).sorted().toList();
        }

        private static URL[] classPath() {
            String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            return Arrays.stream(classPath.split(File.pathSeparator)).map(entry -> {
                try {
                    return Path.of(entry).toUri().toURL();
                } catch (MalformedURLException e) {
                    throw new IllegalArgumentException(entry, e);
                }
            }).toArray(URL[]::new);
        }
    }
}
