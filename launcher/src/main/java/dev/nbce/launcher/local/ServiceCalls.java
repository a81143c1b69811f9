package dev.nbce.launcher.local;

import dev.nbce.gateway.request.GenerationRequest;
import dev.nbce.gateway.request.GenerationResult;
import dev.nbce.gateway.service.NbceService;
import dev.nbce.gateway.session.SessionListener;
import io.vertx.core.Context;
import java.util.concurrent.CompletableFuture;

/**
 * Calls into an {@link NbceService} from outside Vert.x (commands, benchmarks): the generation starts on
 * {@code context}, the listener is called there, and the caller gets a plain future of the result.
 */
public final class ServiceCalls {
    private ServiceCalls() {
    }

    /** Starts {@code request}; the future fails with the request's own failure (admission refusals included). */
    public static CompletableFuture<GenerationResult> submit(Context context, NbceService service, GenerationRequest request,
                                                             SessionListener listener) {
        CompletableFuture<GenerationResult> done = new CompletableFuture<>();
        context.runOnContext(v -> {
            try {
                service.submit(request, listener).result().onComplete(r -> {
                    if (r.succeeded()) {
                        done.complete(r.result());
                    } else {
                        done.completeExceptionally(r.cause());
                    }
                });
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }
}
