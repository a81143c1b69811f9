package dev.nbce.worker.engine;

import ai.djl.engine.EngineException;
import dev.nbce.worker.decoder.LlamaDecoder;
import dev.nbce.worker.decoder.PrefixCacheOptions;
import dev.nbce.worker.decoder.RowCache;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The decoder's forward, except that a forward whose new tokens include a poison token, or number
 * more than a limit, fails before it runs, by default as PyTorch's CUDA allocator does through DJL
 * (no row changes, as the decoder promises). It can also hold one forward until the test releases it, so a
 * test can queue commands that the engine then takes in one loop. Public, with {@link #engine}, for the
 * launcher's cluster tests (the worker's test-jar).
 */
public final class FaultyForward implements BatchRetry.Forward {
    static final String CUDA_OOM = "CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 79.15 GiB total capacity;"
            + " 77.90 GiB already allocated; 1.02 GiB free)\nException raised from malloc at CUDACachingAllocator.cpp";

    private final LlamaDecoder decoder;
    private volatile int[] poison;
    private final int maxTokens;
    private final String message;
    /** The new tokens of every forward that failed, one array per row. */
    final List<List<int[]>> outOfMemory = new CopyOnWriteArrayList<>();
    private volatile int holdToken = -1;
    private final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    /** @param poison a token id whose forwards fail, or -1; @param maxTokens new tokens beyond which a forward fails */
    public FaultyForward(LlamaDecoder decoder, int poison, int maxTokens) {
        this(decoder, poison, maxTokens, CUDA_OOM);
    }

    /** @param message what the failing forwards' {@link EngineException} says */
    FaultyForward(LlamaDecoder decoder, int poison, int maxTokens, String message) {
        this.decoder = decoder;
        this.poison = new int[] {poison};
        this.maxTokens = maxTokens;
        this.message = message;
    }

    /** From now on the forwards whose new tokens include any of {@code tokens} fail (instead of the poison before). */
    public void poison(int... tokens) {
        poison = tokens.clone();
    }

    /** An engine on this forward, with the default prefix cache as the public constructors have. */
    public RowEngine engine(EngineLimits limits, RowEngine.ForwardObserver observer, String name) {
        return new RowEngine(decoder, limits, observer, name, PrefixCacheOptions.DEFAULT, this);
    }

    /** The first forward whose new tokens include {@code token} waits (once) for {@link #release()}. */
    void holdForwardWith(int token) {
        holdToken = token;
    }

    void awaitHeld() throws InterruptedException {
        if (!held.await(60, TimeUnit.SECONDS)) {
            throw new AssertionError("no forward reached the hold");
        }
    }

    void release() {
        released.countDown();
    }

    @Override
    public float[][] forward(List<RowCache> rows, List<int[]> tokens, int[] tails) {
        if (holdToken >= 0 && contains(tokens, holdToken)) {
            holdToken = -1;
            held.countDown();
            try {
                released.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        boolean poisoned = Arrays.stream(poison).anyMatch(p -> contains(tokens, p));
        if (poisoned || tokens.stream().mapToInt(t -> t.length).sum() > maxTokens) {
            outOfMemory.add(tokens.stream().map(int[]::clone).toList());
            throw new EngineException(message);
        }
        return decoder.forward(rows, tokens, tails);
    }

    private static boolean contains(List<int[]> tokens, int token) {
        return token >= 0 && tokens.stream().anyMatch(t -> Arrays.stream(t).anyMatch(id -> id == token));
    }
}
