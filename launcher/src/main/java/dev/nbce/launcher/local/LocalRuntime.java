package dev.nbce.launcher.local;

import dev.nbce.common.constraint.CompilerPool;
import dev.nbce.gateway.request.GenerationRequest;
import dev.nbce.gateway.request.GenerationResult;
import dev.nbce.gateway.service.GatewayConstraints;
import dev.nbce.gateway.service.GatewayLimits;
import dev.nbce.gateway.service.ModelPromptPreparer;
import dev.nbce.gateway.service.NbceService;
import dev.nbce.gateway.service.RequestIds;
import dev.nbce.gateway.service.ServiceObserver;
import dev.nbce.gateway.session.SessionListener;
import dev.nbce.launcher.config.GatewayOptions;
import dev.nbce.launcher.config.Settings;
import dev.nbce.launcher.config.WorkerOptions;
import dev.nbce.worker.decoder.DecoderOptions;
import dev.nbce.worker.decoder.LlamaDecoder;
import dev.nbce.worker.decoder.PrefixCacheOptions;
import dev.nbce.worker.engine.EngineLimits;
import dev.nbce.worker.engine.KvBudget;
import dev.nbce.worker.engine.KvCacheSize;
import dev.nbce.worker.engine.RowEngine;
import dev.nbce.worker.model.DeviceSpec;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The whole algorithm in one process, no cluster: one model, one or more in-process engines, the
 * same service and step loop as the gateway. Used by generate, eval and bench, and by tests.
 */
public final class LocalRuntime implements AutoCloseable {
    private final Vertx vertx;
    private final LlamaDecoder decoder;
    private final List<RowEngine> engines = new ArrayList<>();
    private final ModelPromptPreparer preparer;
    private final NbceService service;
    private final Context context;

    /** @param engineCount in-process "workers" the rows are spread over (1 for normal use) */
    public LocalRuntime(Path modelDir, DeviceSpec device, int engineCount, GatewayLimits limits) {
        this(modelDir, device, DecoderOptions.DEFAULT, engineCount, limits);
    }

    /** @param options precision and prefill chunk of the decoder */
    public LocalRuntime(Path modelDir, DeviceSpec device, DecoderOptions options, int engineCount, GatewayLimits limits) {
        this(modelDir, device, options, PrefixCacheOptions.DEFAULT, engineCount, limits);
    }

    /**
     * As a worker and a gateway with these settings would run: prefix cache, KV budget and default window
     * from {@code settings}.
     */
    public LocalRuntime(Settings settings, Path modelDir, DeviceSpec device, DecoderOptions options, int engineCount,
                        GatewayLimits limits) {
        this(modelDir, device, options, WorkerOptions.prefixCache(settings), engineCount, limits,
                EngineLimits.DEFAULT.withKvCache(WorkerOptions.kvCache(settings, null, null)),
                GatewayOptions.windowTokens(settings), GatewayOptions.toolCallParser(settings));
    }

    /** @param prefixCache each engine's own prefix cache */
    public LocalRuntime(Path modelDir, DeviceSpec device, DecoderOptions options, PrefixCacheOptions prefixCache,
                        int engineCount, GatewayLimits limits) {
        this(modelDir, device, options, prefixCache, engineCount, limits, EngineLimits.DEFAULT);
    }

    /** @param engine what the engines together may hold (their KV budget is split between them) and compute */
    public LocalRuntime(Path modelDir, DeviceSpec device, DecoderOptions options, PrefixCacheOptions prefixCache,
                        int engineCount, GatewayLimits limits, EngineLimits engine) {
        this(modelDir, device, options, prefixCache, engineCount, limits, engine, 0, "auto");
    }

    private LocalRuntime(Path modelDir, DeviceSpec device, DecoderOptions options, PrefixCacheOptions prefixCache,
                         int engineCount, GatewayLimits limits, EngineLimits engine, int windowTokens,
                         String toolCallParser) {
        this(modelDir, device, options, prefixCache, engineCount, limits, engine, windowTokens, toolCallParser, null);
    }

    /**
     * With constraints compiled by {@code constraints} on the gateway side and in every engine instead of by the
     * engine of module structured: tests whose point is the plumbing (e.g. a constraint that allows every token).
     */
    public LocalRuntime(Path modelDir, DeviceSpec device, int engineCount, GatewayLimits limits,
                        CompilerPool.Compiler constraints) {
        this(modelDir, device, DecoderOptions.DEFAULT, PrefixCacheOptions.DEFAULT, engineCount, limits, EngineLimits.DEFAULT,
                0, "auto", constraints);
    }

    private LocalRuntime(Path modelDir, DeviceSpec device, DecoderOptions options, PrefixCacheOptions prefixCache,
                         int engineCount, GatewayLimits limits, EngineLimits engine, int windowTokens,
                         String toolCallParser, CompilerPool.Compiler constraints) {
        this.preparer = ModelPromptPreparer.load(modelDir, modelDir.toAbsolutePath().normalize().getFileName().toString(),
                windowTokens, toolCallParser);
        this.decoder = LlamaDecoder.load(modelDir, device, options);
        // The engines share one device: each gets its part of one budget, not a whole default share.
        KvBudget whole = KvBudget.resolve(decoder, engine);
        EngineLimits engineLimits = engine.withKvCache(new KvCacheSize.Bytes(
                Math.max(1, whole.budgetBytes() / engineCount), whole.source()));
        for (int i = 0; i < engineCount; i++) {
            String name = "local engine " + i + " (model " + modelDir.getFileName() + ")";
            engines.add(constraints == null ? new RowEngine(decoder, engineLimits, (rows, tokens, nanos) -> { }, name, prefixCache)
                    : new RowEngine(decoder, engineLimits, (rows, tokens, nanos) -> { }, name, prefixCache,
                    new CompilerPool(constraints)));
        }
        this.vertx = Vertx.vertx();
        this.context = vertx.getOrCreateContext();
        this.service = constraints == null
                ? new NbceService(vertx, preparer, new LocalRowExecutor(vertx, engines), limits, ServiceObserver.NONE)
                : new NbceService(vertx, preparer, new LocalRowExecutor(vertx, engines), limits, ServiceObserver.NONE,
                        new RequestIds(RequestIds.newInstanceId()),
                        new GatewayConstraints(new CompilerPool(constraints), preparer.model().tokenizer().vocabularySize()));
    }

    public LlamaDecoder decoder() {
        return decoder;
    }

    public ModelPromptPreparer preparer() {
        return preparer;
    }

    public List<RowEngine> engines() {
        return engines;
    }

    /** Starts a generation on the runtime's context; the listener is called there. */
    public CompletableFuture<GenerationResult> submit(GenerationRequest request, SessionListener listener) {
        return ServiceCalls.submit(context, service, request, listener);
    }

    /** Blocking convenience for one request. Rethrows the request's own failure. */
    public GenerationResult generate(GenerationRequest request, SessionListener listener) throws InterruptedException {
        try {
            return submit(request, listener).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        engines.forEach(RowEngine::close);
        decoder.close();
        preparer.close();
        vertx.close();
    }
}
