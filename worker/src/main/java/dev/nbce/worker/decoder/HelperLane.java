package dev.nbce.worker.decoder;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One daemon thread that computes the second half of a product while the engine thread computes the first. Started
 * on first use, so a decoder made by {@code withOptions} that is never closed keeps no thread.
 */
final class HelperLane implements AutoCloseable {
    private final String threadName;
    private ExecutorService executor;

    HelperLane(String threadName) {
        this.threadName = threadName;
    }

    <T> Future<T> submit(Callable<T> task) {
        if (executor == null) {
            executor = Executors.newSingleThreadExecutor(runnable -> {
                Thread thread = new Thread(runnable, threadName);
                thread.setDaemon(true);
                return thread;
            });
        }
        return executor.submit(task);
    }

    Future<?> submit(Runnable task) {
        return submit(() -> {
            task.run();
            return null;
        });
    }

    /** The task's result; its exception rethrown as it was when unchecked. */
    <T> T join(Future<T> task) {
        try {
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + threadName, e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
