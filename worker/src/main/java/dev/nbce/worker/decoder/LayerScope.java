package dev.nbce.worker.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.ArrayList;
import java.util.List;

/**
 * A nested {@link NDScope} for one decoder layer: its temporaries die with the layer, except the
 * arrays it is asked to {@link #keep} (the layer's output, its new keys and values), which move to
 * the enclosing scope. So a step holds one layer's temporaries at a time, not all layers'.
 */
final class LayerScope implements AutoCloseable {
    private final NDScope scope = new NDScope();
    private final List<NDArray> kept = new ArrayList<>();

    /** Lets {@code array} outlive this layer; returns it. */
    NDArray keep(NDArray array) {
        NDScope.unregister(array);
        kept.add(array);
        return array;
    }

    /** Adds the tensors this layer made (and did not keep) to {@code profile}; call just before closing. */
    void countTensors(StepProfile profile) {
        profile.countTensors(scope);
    }

    @Override
    public void close() {
        scope.close();
        // This scope is off the stack now: the enclosing (step) scope takes what was kept.
        kept.forEach(NDScope::register);
    }
}
