package dev.nbce.launcher.tracing;

import dev.nbce.common.error.NbceException;
import dev.nbce.common.wire.OpenRows;
import dev.nbce.worker.OpenTracing;

/** A worker's span per traced open: its rows' queueing and prefill, in the trace the gateway sent along. */
public final class TracedOpens implements OpenTracing {
    private final Tracing tracing;

    private TracedOpens(Tracing tracing) {
        this.tracing = tracing;
    }

    /** {@link OpenTracing#NONE} when tracing is off. */
    public static OpenTracing of(Tracing tracing) {
        return tracing.on() ? new TracedOpens(tracing) : OpenTracing.NONE;
    }

    @Override
    public Span opening(String workerId, OpenRows open) {
        Tracing.Span span = tracing.serve("nbce.worker.open", open.traceparent())
                .set("nbce.worker", workerId).set("nbce.request.id", open.requestId()).set("nbce.step", open.step())
                .set("nbce.rows", open.rows().size())
                .set("nbce.prefill_tokens", open.rows().stream().mapToLong(r -> r.tokenIds().length).sum());
        return error -> {
            if (error != null) {
                NbceException failure = NbceException.of(error);
                span.fail(failure.code().wireName(), failure.getMessage());
            }
            span.end();
        };
    }
}
