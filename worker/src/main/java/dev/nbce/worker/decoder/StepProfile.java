package dev.nbce.worker.decoder;

import ai.djl.ndarray.NDScope;
import java.lang.reflect.Field;
import java.util.EnumMap;
import java.util.Map;

/**
 * Where the forwards of a {@link LlamaDecoder} spend their time, when one is attached
 * ({@link LlamaDecoder#profile}; {@code bench --profile}): wall time per phase summed over the
 * forwards run meanwhile, and the native tensors their scopes created (each made by one JNI call
 * into PyTorch and freed by another when its scope closes). On a CPU PyTorch finishes each op before
 * the call returns, so the time around a call is that call's; a GPU runs ops asynchronously and would
 * need a synchronisation per phase, so these figures are for CPUs. The detached profile,
 * {@link #OFF}, reads no clock.
 *
 * <p>Two phases are remainders: {@link Phase#LAYER_OTHER} is a layer's time less its projections and
 * attention (RMSNorms, RoPE, residual adds, SwiGLU, reshapes, freeing the layer's temporaries), and
 * {@link Phase#STEP_OTHER} is a forward's time less every other phase (validation, the step's scope
 * and frees).
 */
public final class StepProfile {
    /** The phases of a forward, in the order the table prints them. */
    public enum Phase {
        EMBEDDING("embedding gather + RoPE angles"),
        KV_GATHER("KV gather (rows' pasts stacked) + masks"),
        QKV("matmul q/k/v"),
        O_PROJ("matmul o"),
        GATE_UP("matmul gate/up"),
        DOWN("matmul down"),
        ATTENTION("attention (scores, softmax, weights x V, layouts)"),
        LAYER_OTHER("norms, RoPE, residuals, SwiGLU, layer frees"),
        LM_HEAD("final norm + lm_head matmul"),
        LOGITS_OUT("logits to Java float[]"),
        KV_APPEND("KV append to the rows' caches"),
        STEP_OTHER("step setup and frees, other");

        private final String label;

        Phase(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** A detached profile: every method returns at once. */
    static final StepProfile OFF = new StepProfile(false);

    private final boolean on;
    private final long[] nanos = new long[Phase.values().length];
    private long layersNanos;
    private long forwardNanos;
    private long forwards;
    private long tensors;

    private StepProfile(boolean on) {
        this.on = on;
    }

    /** An empty profile to attach. */
    public static StepProfile create() {
        return new StepProfile(true);
    }

    /** A clock reading to pass to {@link #stop}, or 0 when detached. */
    long start() {
        return on ? System.nanoTime() : 0;
    }

    void stop(Phase phase, long start) {
        if (on) {
            nanos[phase.ordinal()] += System.nanoTime() - start;
        }
    }

    /** One whole layer, of which the timed phases inside are part. */
    void stopLayer(long start) {
        if (on) {
            layersNanos += System.nanoTime() - start;
        }
    }

    /** One whole forward, of which every other phase is part. */
    void stopForward(long start) {
        if (on) {
            forwardNanos += System.nanoTime() - start;
            forwards++;
        }
    }

    /** Counts the tensors {@code scope} holds, just before it closes. */
    void countTensors(NDScope scope) {
        if (on) {
            tensors += registered(scope);
        }
    }

    /** Forwards run while attached. */
    public long forwards() {
        return forwards;
    }

    /** Native tensors created per forward (mean); NaN where this DJL's scopes cannot be read. */
    public double tensorsPerForward() {
        return RESOURCES == null ? Double.NaN : forwards == 0 ? 0 : (double) tensors / forwards;
    }

    /** Mean milliseconds per forward, by phase, remainders included; they add up to {@link #forwardMillis()}. */
    public Map<Phase, Double> millisPerForward() {
        long[] all = nanos.clone();
        long timedInLayers = all[Phase.QKV.ordinal()] + all[Phase.O_PROJ.ordinal()] + all[Phase.GATE_UP.ordinal()]
                + all[Phase.DOWN.ordinal()] + all[Phase.ATTENTION.ordinal()];
        all[Phase.LAYER_OTHER.ordinal()] = layersNanos - timedInLayers;
        long timed = 0;
        for (Phase p : Phase.values()) {
            timed += p == Phase.STEP_OTHER ? 0 : all[p.ordinal()];
        }
        all[Phase.STEP_OTHER.ordinal()] = forwardNanos - timed;
        Map<Phase, Double> out = new EnumMap<>(Phase.class);
        for (Phase p : Phase.values()) {
            out.put(p, forwards == 0 ? 0 : all[p.ordinal()] / 1e6 / forwards);
        }
        return out;
    }

    /** Mean milliseconds per forward. */
    public double forwardMillis() {
        return forwards == 0 ? 0 : forwardNanos / 1e6 / forwards;
    }

    private static final Field RESOURCES = resourcesField();

    /** NDScope keeps what it will close in a private map; only a profile reads its size. */
    private static Field resourcesField() {
        try {
            Field f = NDScope.class.getDeclaredField("resources");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static int registered(NDScope scope) {
        try {
            return RESOURCES == null ? 0 : ((Map<?, ?>) RESOURCES.get(scope)).size();
        } catch (IllegalAccessException e) {
            return 0;
        }
    }
}
