package dev.nbce.launcher.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@link Tracing} on the OpenTelemetry SDK, set up by its autoconfiguration. Loaded only when tracing is on. */
final class OtelTracing implements Tracing {
    /** Reads the one W3C field from a traceparent string. */
    private static final TextMapGetter<String> TRACEPARENT = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return List.of("traceparent");
        }

        @Override
        public String get(String carrier, String key) {
            return carrier != null && key.equals("traceparent") ? carrier : null;
        }
    };

    private final OpenTelemetrySdk sdk;
    private final Tracer tracer;

    private OtelTracing(OpenTelemetrySdk sdk) {
        this.sdk = sdk;
        this.tracer = sdk.getTracer("dev.nbce");
    }

    /**
     * The SDK from the {@code OTEL_*} entries of {@code env} (they win over the process's own variables, which the
     * autoconfiguration reads too); only traces are exported unless OTEL_METRICS_EXPORTER or OTEL_LOGS_EXPORTER say
     * otherwise. Called by name from {@link Tracing#from}.
     */
    public static Tracing configure(Map<String, String> env, String serviceName) {
        Map<String, String> given = new HashMap<>();
        env.forEach((variable, value) -> {
            if (variable.startsWith("OTEL_")) {
                given.put(variable.toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        Map<String, String> defaults = Map.of("otel.service.name", serviceName, "otel.metrics.exporter", "none",
                "otel.logs.exporter", "none");
        OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> defaults)
                .addPropertiesCustomizer(config -> given)
                .disableShutdownHook() // the node closes it after its drain, so the drained requests' spans go out
                .build()
                .getOpenTelemetrySdk();
        return new OtelTracing(sdk);
    }

    @Override
    public boolean on() {
        return true;
    }

    @Override
    public Tracing.Span serve(String name, String traceparent) {
        Context parent = traceparent == null ? Context.root()
                : W3CTraceContextPropagator.getInstance().extract(Context.root(), traceparent, TRACEPARENT);
        return new OtelSpan(tracer.spanBuilder(name).setParent(parent).setSpanKind(SpanKind.SERVER).startSpan());
    }

    @Override
    public void close() {
        sdk.shutdown().join(10, TimeUnit.SECONDS);
    }

    private final class OtelSpan implements Tracing.Span {
        private final io.opentelemetry.api.trace.Span span;

        OtelSpan(io.opentelemetry.api.trace.Span span) {
            this.span = span;
        }

        @Override
        public Tracing.Span child(String name) {
            return new OtelSpan(tracer.spanBuilder(name).setParent(Context.root().with(span)).startSpan());
        }

        @Override
        public Tracing.Span set(String key, String value) {
            span.setAttribute(key, value);
            return this;
        }

        @Override
        public Tracing.Span set(String key, long value) {
            span.setAttribute(key, value);
            return this;
        }

        @Override
        public Tracing.Span set(String key, double value) {
            span.setAttribute(key, value);
            return this;
        }

        @Override
        public void event(String name, String... keysAndValues) {
            AttributesBuilder attributes = Attributes.builder();
            for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
                attributes.put(AttributeKey.stringKey(keysAndValues[i]), keysAndValues[i + 1]);
            }
            span.addEvent(name, attributes.build());
        }

        @Override
        public void fail(String code, String message) {
            span.setAttribute("error.type", code);
            span.setStatus(StatusCode.ERROR, message);
        }

        @Override
        public String traceparent() {
            var context = span.getSpanContext();
            if (!context.isValid()) {
                return null;
            }
            return "00-" + context.getTraceId() + "-" + context.getSpanId() + "-" + context.getTraceFlags().asHex();
        }

        @Override
        public void end() {
            span.end();
        }
    }
}
