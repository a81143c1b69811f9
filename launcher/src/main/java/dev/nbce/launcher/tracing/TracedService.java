package dev.nbce.launcher.tracing;

import dev.nbce.common.error.NbceException;
import dev.nbce.common.wire.ShardStep;
import dev.nbce.common.wire.WireMeter;
import dev.nbce.gateway.request.GenerationResult;
import dev.nbce.gateway.service.RequestObserver;
import dev.nbce.gateway.service.RequestOrigin;
import dev.nbce.gateway.service.ServiceObserver;
import dev.nbce.gateway.session.ForwardingSessionListener;
import dev.nbce.gateway.session.GenerationPlan;
import dev.nbce.gateway.session.SessionListener;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The gateway's traces (docs/operations.md: Tracing): one trace per request, its request span with children for the
 * admission wait, the prompt's preparation, the rows' placement (under which each worker's open continues the trace)
 * and one decode span with the step statistics; failovers are events. Every other hook goes to the observer it wraps.
 */
public final class TracedService implements ServiceObserver {
    private final ServiceObserver inner;
    private final Tracing tracing;
    /** Reply bytes received so far per traced request, by request id. */
    private final Map<String, LongAdder> replyBytes = new ConcurrentHashMap<>();

    public TracedService(ServiceObserver inner, Tracing tracing) {
        this.inner = inner;
        this.tracing = tracing;
    }

    /** Counts the workers' replies of traced requests (the event-bus bytes of their steps). */
    public WireMeter meter() {
        return (message, bytes) -> {
            if (message instanceof ShardStep step) {
                LongAdder counter = replyBytes.get(step.requestId());
                if (counter != null) {
                    counter.add(bytes);
                }
            }
        };
    }

    @Override
    public void started() {
        inner.started();
    }

    @Override
    public void queueDepth(int depth) {
        inner.queueDepth(depth);
    }

    @Override
    public void ended(GenerationResult result, long nanos) {
        inner.ended(result, nanos);
    }

    @Override
    public SessionListener wrap(SessionListener listener, long startNanos) {
        return inner.wrap(listener, startNanos);
    }

    @Override
    public RequestObserver admitted(String requestId, RequestOrigin origin) {
        return new Request(requestId, origin);
    }

    /** One request's spans. Its hooks come on the request's context, {@link #prepared} excepted. */
    private final class Request implements RequestObserver {
        private final String requestId;
        private final Tracing.Span root;
        private final LongAdder bytes = new LongAdder();
        private Tracing.Span admission;
        private volatile Tracing.Span prepare;
        private Tracing.Span placement;
        private Tracing.Span decode;
        private long lastStepNanos;
        private long[] stepNanos = new long[64];
        private int steps;
        private int rows;
        private long rowSteps;
        private int placements;

        Request(String requestId, RequestOrigin origin) {
            this.requestId = requestId;
            this.root = tracing.serve(origin.name(), origin.traceparent()).set("nbce.request.id", requestId);
            this.admission = root.child("nbce.admission");
            replyBytes.put(requestId, bytes);
        }

        @Override
        public void started() {
            admission = endOf(admission);
            prepare = root.child("nbce.prepare");
        }

        @Override
        public void prepared(GenerationPlan plan) {
            prepare.set("nbce.windows", plan.windowCount()).set("nbce.rows", plan.rowCount())
                    .set("nbce.prompt_tokens", plan.rowTokenIds().stream().mapToLong(r -> r.length).sum())
                    .set("nbce.longest_row_tokens", plan.longestPrompt());
            prepare = endOf(prepare);
        }

        @Override
        public SessionListener wrap(SessionListener listener) {
            placement = root.child("nbce.placement");
            return new ForwardingSessionListener(listener) {
                @Override
                public void onPlaced(Map<String, List<Integer>> rowsByWorker, int cachedPrefixRows) {
                    placed(rowsByWorker, cachedPrefixRows);
                    super.onPlaced(rowsByWorker, cachedPrefixRows);
                }

                @Override
                public void onRowsReplaced(String failedWorker, int lost, Throwable cause) {
                    current().event("nbce.rows_replaced", "nbce.worker", failedWorker, "nbce.rows", Integer.toString(lost),
                            "error.type", NbceException.of(cause).code().wireName());
                    super.onRowsReplaced(failedWorker, lost, cause);
                }

                @Override
                public void onStep(int step, long nanos) {
                    stepped();
                    super.onStep(step, nanos);
                }

                @Override
                public void onDecode(int decoding) {
                    rows = decoding;
                    rowSteps += decoding;
                    super.onDecode(decoding);
                }

                @Override
                public String traceparent() {
                    return current().traceparent();
                }
            };
        }

        /** The span a placement's workers continue and failovers land in: placement until step 0, then decode. */
        private Tracing.Span current() {
            return decode != null ? decode : placement;
        }

        private void placed(Map<String, List<Integer>> rowsByWorker, int cachedPrefixRows) {
            int placedRows = rowsByWorker.values().stream().mapToInt(List::size).sum();
            String workers = String.join(",", rowsByWorker.keySet());
            if (placements++ == 0) {
                placement.set("nbce.workers", workers).set("nbce.worker_count", rowsByWorker.size())
                        .set("nbce.rows", placedRows).set("nbce.prefix_cache.hit_rows", cachedPrefixRows);
            } else {
                current().event("nbce.rows_placed", "nbce.workers", workers, "nbce.rows", Integer.toString(placedRows),
                        "nbce.prefix_cache.hit_rows", Integer.toString(cachedPrefixRows));
            }
        }

        /** Step 0's reports ended the placement (its rows' prefill); each later step is one decode round trip. */
        private void stepped() {
            long now = System.nanoTime();
            if (decode == null) {
                placement = endOf(placement);
                decode = root.child("nbce.decode");
            } else {
                if (steps == stepNanos.length) {
                    stepNanos = Arrays.copyOf(stepNanos, steps * 2);
                }
                stepNanos[steps++] = now - lastStepNanos;
            }
            lastStepNanos = now;
        }

        @Override
        public void ended(GenerationResult result, Throwable failure) {
            replyBytes.remove(requestId);
            admission = endOf(admission);
            prepare = endOf(prepare);
            placement = endOf(placement);
            if (decode != null) {
                long[] sorted = Arrays.copyOf(stepNanos, steps);
                Arrays.sort(sorted);
                decode.set("nbce.decode.steps", steps).set("nbce.decode.rows", rows).set("nbce.decode.row_steps", rowSteps)
                        .set("nbce.decode.step_p50_ms", percentile(sorted, 0.50) / 1e6)
                        .set("nbce.decode.step_p99_ms", percentile(sorted, 0.99) / 1e6)
                        .set("nbce.bus.reply_bytes", bytes.sum());
                decode = endOf(decode);
            }
            if (result != null) {
                root.set("nbce.finish_reason", result.finishReason().wireName())
                        .set("gen_ai.usage.input_tokens", result.usage().promptTokens())
                        .set("gen_ai.usage.output_tokens", result.usage().generatedTokens())
                        .set("nbce.windows", result.windows());
            } else {
                NbceException error = NbceException.of(failure);
                root.fail(error.code().wireName(), error.getMessage());
            }
            root.end();
        }
    }

    /** Ends {@code span} if there is one; returns null, what the field holding it becomes. */
    private static Tracing.Span endOf(Tracing.Span span) {
        if (span != null) {
            span.end();
        }
        return null;
    }

    /** The nearest-rank percentile of sorted values; 0 when there are none. */
    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.max(0, (int) Math.ceil(p * sorted.length) - 1)];
    }
}
