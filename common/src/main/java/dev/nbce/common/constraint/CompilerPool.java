package dev.nbce.common.constraint;

import dev.nbce.structured.CompileLimits;
import dev.nbce.structured.ConstraintCompiler;
import dev.nbce.structured.ConstraintException;
import dev.nbce.structured.ConstraintSpec;
import dev.nbce.structured.TokenConstraint;
import dev.nbce.structured.vocab.TokenBytes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One model's constraint compiler on threads of its own (docs/structured-output.md), for the gateway and each
 * worker: no event loop and no engine thread ever waits for a compilation, and a hostile schema holds one of
 * {@value #THREADS} threads for at most the compiler's time limit. The vocabulary is read from the model's
 * tokenizer.json on the first constraint; the compiler's cache makes a spec compiled once free afterwards.
 * The queue is unbounded: the requests in flight, which admission control bounds, bound it. Refusals are
 * remembered too (the last {@value #REFUSALS_KEPT}), so a client that sends a hostile schema again gets its 400 at
 * once instead of holding a thread once more; not those that came near the time limit, which a busy machine
 * may have caused.
 */
public final class CompilerPool implements AutoCloseable {
    public static final int THREADS = 2;
    static final int REFUSALS_KEPT = 256;

    /** Compiles one spec (on a thread of the pool). */
    @FunctionalInterface
    public interface Compiler {
        Compiled compile(ConstraintSpec spec) throws ConstraintException;
    }

    private final Path tokenizerJson;
    private final CompileLimits limits;
    private final Compiler given;
    private final ExecutorService executor;
    private ConstraintCompiler compiler; // guarded by this
    /** Specs refused, by their JSON form; least recently used first. Guarded by itself. */
    private final Map<String, ConstraintException> refused = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ConstraintException> eldest) {
            return size() > REFUSALS_KEPT;
        }
    };

    /** @param tokenizerJson the model's tokenizer.json; null when it has none (every constraint then fails) */
    public CompilerPool(Path tokenizerJson, CompileLimits limits) {
        this(tokenizerJson, limits, null);
    }

    /** Compiles with {@code compiler} instead of the engine (tests: constraints whose point is the plumbing). */
    public CompilerPool(Compiler compiler) {
        this(null, CompileLimits.DEFAULT, compiler);
    }

    private CompilerPool(Path tokenizerJson, CompileLimits limits, Compiler given) {
        this.tokenizerJson = tokenizerJson;
        this.limits = limits;
        this.given = given;
        ThreadPoolExecutor pool = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "nbce-constraint-compiler");
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        this.executor = pool;
    }

    /**
     * {@code spec} compiled on this pool. Fails with a {@link CompletionException} whose cause is the
     * {@link ConstraintException} (the client's error), or an {@link UncheckedIOException} (no vocabulary).
     */
    public CompletableFuture<Compiled> compile(ConstraintSpec spec) {
        String key = spec.toJson();
        synchronized (refused) {
            ConstraintException known = refused.get(key);
            if (known != null) {
                return CompletableFuture.failedFuture(new CompletionException(known));
            }
        }
        return CompletableFuture.supplyAsync(() -> {
            long start = System.nanoTime();
            try {
                if (given != null) {
                    return given.compile(spec);
                }
                ConstraintCompiler c = compiler();
                return new Compiled(c.compile(spec), c.vocabulary().size());
            } catch (ConstraintException e) {
                if (System.nanoTime() - start < limits.maxTime().toNanos() / 2) {
                    synchronized (refused) {
                        refused.put(key, e);
                    }
                }
                throw new CompletionException(e);
            } catch (StackOverflowError e) {
                throw new CompletionException(new ConstraintException("", "the constraint nests too deeply to compile"));
            }
        }, executor);
    }

    /** A constraint compiled for a vocabulary of {@code tokens} ids (its masks' length in bits, rounded up to words). */
    public record Compiled(TokenConstraint constraint, int tokens) {}

    private synchronized ConstraintCompiler compiler() {
        if (compiler == null) {
            if (tokenizerJson == null) {
                throw new UncheckedIOException(new IOException("the model has no tokenizer.json, so it cannot enforce constraints"));
            }
            try {
                compiler = new ConstraintCompiler(TokenBytes.load(tokenizerJson), limits);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the vocabulary of " + tokenizerJson + ": " + e.getMessage(), e);
            }
        }
        return compiler;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
