package dev.nbce.launcher.tracing;

import dev.nbce.launcher.config.Settings;
import java.util.Locale;
import java.util.Map;

/**
 * Spans of one process (docs/operations.md: Tracing). Off unless the standard {@code OTEL_TRACES_EXPORTER} names an
 * exporter ({@code otlp}, {@code logging}, {@code console}); then the OpenTelemetry SDK's autoconfiguration reads every
 * {@code OTEL_*} variable from the process's settings. Off, {@link #OFF} answers and no OpenTelemetry class is
 * loaded: the SDK sits behind this interface and is reached by name only when tracing is on.
 */
public interface Tracing extends AutoCloseable {
    /** The variable that turns tracing on, as the OpenTelemetry SDK names it. */
    String EXPORTER_VARIABLE = "OTEL_TRACES_EXPORTER";

    /** Whether spans are made at all. */
    boolean on();

    /** A span that serves a request from outside, child of the W3C {@code traceparent} given (null or bad: a new trace). */
    Span serve(String name, String traceparent);

    /** Flushes the spans not yet exported and stops exporting. */
    @Override
    void close();

    /** One span; ends once. Safe from any thread. */
    interface Span {
        /** A child starting now. */
        Span child(String name);

        Span set(String key, String value);

        Span set(String key, long value);

        Span set(String key, double value);

        /** An event now, with string attributes given as key, value, key, value… */
        void event(String name, String... keysAndValues);

        /** Marks the span failed with {@code error}'s class-free description. */
        void fail(String code, String message);

        /** This span's context as a W3C {@code traceparent}, for the spans of other processes. */
        String traceparent();

        void end();
    }

    Span NO_SPAN = new Span() {
        @Override
        public Span child(String name) {
            return this;
        }

        @Override
        public Span set(String key, String value) {
            return this;
        }

        @Override
        public Span set(String key, long value) {
            return this;
        }

        @Override
        public Span set(String key, double value) {
            return this;
        }

        @Override
        public void event(String name, String... keysAndValues) {}

        @Override
        public void fail(String code, String message) {}

        @Override
        public String traceparent() {
            return null;
        }

        @Override
        public void end() {}
    };

    Tracing OFF = new Tracing() {
        @Override
        public boolean on() {
            return false;
        }

        @Override
        public Span serve(String name, String traceparent) {
            return NO_SPAN;
        }

        @Override
        public void close() {}
    };

    /** Whether these settings ask for traces: an exporter other than {@code none}, and the SDK not disabled. */
    static boolean requested(Settings settings) {
        Map<String, String> env = settings.environment();
        String exporter = env.getOrDefault(EXPORTER_VARIABLE, "").strip().toLowerCase(Locale.ROOT);
        boolean disabled = env.getOrDefault("OTEL_SDK_DISABLED", "").strip().equalsIgnoreCase("true");
        return !exporter.isEmpty() && !exporter.equals("none") && !disabled;
    }

    /**
     * The tracing these settings ask for, as {@code serviceName} unless {@code OTEL_SERVICE_NAME} names it: {@link #OFF},
     * or the SDK as its autoconfiguration sets it up from the settings' {@code OTEL_*} variables.
     *
     * @throws IllegalArgumentException when the OTEL_* variables are invalid (an unknown exporter, sampler…)
     */
    static Tracing from(Settings settings, String serviceName) {
        if (!requested(settings)) {
            return OFF;
        }
        try {
            // By name: the SDK's classes load only here.
            return (Tracing) Class.forName("dev.nbce.launcher.tracing.OtelTracing")
                    .getMethod("configure", Map.class, String.class)
                    .invoke(null, settings.environment(), serviceName);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw new IllegalArgumentException("tracing: " + e.getCause().getMessage(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("tracing is asked for but the OpenTelemetry SDK is missing", e);
        }
    }
}
