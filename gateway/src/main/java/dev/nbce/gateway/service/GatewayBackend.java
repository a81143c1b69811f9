package dev.nbce.gateway.service;

import dev.nbce.common.wire.WorkerStatus;
import java.util.List;

/**
 * What the HTTP layer serves: the service over some row executor (in-process, or the cluster's),
 * built on the HTTP verticle's context so all of it shares one event loop.
 */
public interface GatewayBackend {
    NbceService service();

    /** True when at least one worker with the model can take rows. */
    boolean ready();

    /** The live workers serving the model (none for an in-process backend). */
    default List<WorkerStatus> workers() {
        return List.of();
    }
}
