package dev.nbce.gateway.service;

import dev.nbce.common.constraint.CompilerPool;
import dev.nbce.common.error.ClientText;
import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.InvalidRequestException;
import dev.nbce.common.error.NbceException;
import dev.nbce.gateway.request.GenerationRequest;
import dev.nbce.gateway.tools.ToolConstraint;
import dev.nbce.structured.CompileLimits;
import dev.nbce.structured.ConstraintException;
import dev.nbce.structured.ConstraintSpec;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * Checks a request's constraint and logit bias before any row is placed (docs/structured-output.md): the
 * constraint is compiled for the model's vocabulary on a {@link CompilerPool} (never on an event loop nor on the
 * pool that prepares prompts), so a hostile schema costs its own request a clear 400 and delays no other client's
 * tokens. One per model tokenizer.
 */
public final class GatewayConstraints implements AutoCloseable {
    private final CompilerPool pool;
    private final int vocabularySize;

    /**
     * @param tokenizerJson  the model's tokenizer.json, read on the first constraint
     * @param vocabularySize ids a logit bias may name
     */
    public GatewayConstraints(Path tokenizerJson, int vocabularySize, CompileLimits limits) {
        this(new CompilerPool(tokenizerJson, limits), vocabularySize);
    }

    /** @param pool compiles the constraints (tests give one with a compiler of their own) */
    public GatewayConstraints(CompilerPool pool, int vocabularySize) {
        this.pool = pool;
        this.vocabularySize = vocabularySize;
    }

    /** The model's: its tokenizer.json and vocabulary. */
    static GatewayConstraints of(PromptPreparer preparer) {
        return new GatewayConstraints(preparer.model().directory().resolve("tokenizer.json"),
                preparer.model().tokenizer().vocabularySize(), CompileLimits.DEFAULT);
    }

    /**
     * The request as it is, once its logit bias names only known tokens and its constraint compiled (or came
     * from the cache); fails with a 400 naming the field and the schema path otherwise.
     *
     * @param context where the returned future completes
     */
    public Future<GenerationRequest> check(GenerationRequest request, Context context) {
        for (int id : request.logitBias().keySet()) {
            if (id >= vocabularySize) {
                return Future.failedFuture(new InvalidRequestException("logit_bias", "logit_bias names token " + id
                        + ", outside the model's vocabulary of " + vocabularySize));
            }
        }
        Future<Void> tools = Future.succeededFuture();
        List<ConstraintSpec> parameters = ToolConstraint.parameterSchemas(request.tools());
        for (int i = 0; i < parameters.size(); i++) {
            int index = i;
            tools = tools.compose(v -> Future.fromCompletionStage(pool.compile(parameters.get(index)), context)
                    .<Void>transform(compiled -> compiled.succeeded() ? Future.succeededFuture()
                            : Future.failedFuture(refusal(compiled.cause(), e -> ToolConstraint.refused(index, e)))));
        }
        return tools.compose(v -> checkConstraint(request, context));
    }

    /** Every offered function's parameters must compile whatever the tool choice: a bad one is a 400 naming it. */
    private Future<GenerationRequest> checkConstraint(GenerationRequest request, Context context) {
        if (request.constraint() == null) {
            return Future.succeededFuture(request);
        }
        String field = request.constraintField();
        return Future.fromCompletionStage(pool.compile(request.constraint()), context).transform(compiled -> {
            if (compiled.succeeded()) {
                return Future.succeededFuture(request);
            }
            return Future.failedFuture(refusal(compiled.cause(), e -> {
                String at = e.path().isEmpty() ? "" : " (at " + ClientText.excerpt(e.path(), 200) + ")";
                return new InvalidRequestException(field, field + ": " + e.getMessage() + at);
            }));
        });
    }

    /** A refused constraint as the client's 400; anything else as an internal error. */
    private static Throwable refusal(Throwable failure, java.util.function.Function<ConstraintException, InvalidRequestException> asClientError) {
        Throwable cause = failure instanceof CompletionException c ? c.getCause() : failure;
        if (cause instanceof ConstraintException e) {
            return asClientError.apply(e);
        }
        return new NbceException(ErrorCode.INTERNAL, "constraint compilation failed: " + NbceException.describe(cause));
    }

    @Override
    public void close() {
        pool.close();
    }
}
