package dev.nbce.worker.engine;

import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;
import java.util.List;
import java.util.Locale;

/**
 * Recognises a forward that failed because the device (or host, on CPU) ran out of memory. PyTorch
 * raises these as {@code c10::Error}s, which DJL rethrows as {@link ai.djl.engine.EngineException}
 * with PyTorch's message, so the message is all there is to go on: "CUDA out of memory. Tried to
 * allocate …", "CUDA error: out of memory", "MPS backend out of memory", the CPU allocator's
 * "DefaultCPUAllocator: not enough memory" / "can't allocate memory", cuBLAS failing to allocate its
 * workspace.
 *
 * <p>A {@link OutOfMemoryError} is deliberately not one of them: it is the JVM's heap, shared by
 * every thread of the process (event loops, cluster, metrics), not the activations of one batch, and
 * it may have struck halfway through any bookkeeping; the engine lets it end its thread, the
 * watchdog turns the worker unhealthy and the gateway moves its rows.
 */
final class OutOfMemory {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(OutOfMemory.class);
    private static final List<String> MESSAGES = List.of("out of memory", "not enough memory",
            "can't allocate memory", "cannot allocate memory", "cublas_status_alloc_failed");

    private OutOfMemory() {
    }

    /** True when {@code failure} or one of its causes reports exhausted native memory, and none is a JVM {@link Error}. */
    static boolean explains(Throwable failure) {
        boolean reported = false;
        Throwable t = failure;
        for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
            if (t instanceof Error) {
                return false; // also when wrapped, whose message then repeats the Error's: see above
            }
            String message = t.getMessage();
            if (message != null) {
                String lower = message.toLowerCase(Locale.ROOT);
                reported |= MESSAGES.stream().anyMatch(lower::contains);
            }
        }
        return reported;
    }

    /** The first line of the failure's message, at most 200 characters (PyTorch appends memory statistics). */
    static String summary(Throwable failure) {
        String message = String.valueOf(failure.getMessage()).strip();
        int newline = message.indexOf('\n');
        String first = newline < 0 ? message : message.substring(0, newline);
        return first.length() <= 200 ? first : first.substring(0, 200) + "…";
    }

    /**
     * The error of a request whose forward ran out of memory even alone, one row and one token: this
     * worker has no memory to spare for it now, which another worker may have, so the code is the
     * retryable {@code internal} (the gateway places the rows elsewhere). The caller closes the shard:
     * its rows and reserved tokens are freed and nothing of it is cached.
     *
     * @param worker names the engine, e.g. {@code worker w1 (model qwen3-0.6b)}
     */
    static NbceException requestFailed(String worker, String requestId, RuntimeException oom) {
        LOG.warn("{}: request {} ran out of memory in a forward of its own; failing it: {}", worker, requestId, summary(oom));
        return new NbceException(ErrorCode.INTERNAL, worker + " ran out of memory for request " + requestId
                + ", even for one row and one token alone (" + summary(oom) + ")");
    }
}
