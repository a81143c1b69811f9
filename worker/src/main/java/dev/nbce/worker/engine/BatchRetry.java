package dev.nbce.worker.engine;

import dev.nbce.worker.decoder.RowCache;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * One loop's forward over the rows of several requests, run so that running out of memory fails only
 * the requests that cause it. Rows go in sub-batches within the {@link EngineLimits}; sub-batches that
 * succeed are kept. A sub-batch that runs out of memory has changed no row (the decoder's promise,
 * checked here), so it is tried again smaller: its requests in halves, one request's rows in halves,
 * one row's prefill slice shortened by halves (the rest of the slice waits for the next loop). Every
 * forward that succeeds is an ordinary forward of the rows in it, so the results are exact. Only a
 * request whose smallest forward, one row and one token (or a decode token), still runs out of memory
 * fails. Any other failure propagates, as before.
 *
 * <p>Engine thread only (the count may be read from any thread).
 */
final class BatchRetry {
    /**
     * Appends {@code tokens.get(i)} to {@code rows.get(i)}, returns the logits of each row's last {@code tails[i]}
     * positions, row after row ({@code float[sum of tails][vocab]}); if it throws, no row changed.
     */
    @FunctionalInterface
    interface Forward {
        float[][] forward(List<RowCache> rows, List<int[]> tokens, int[] tails);
    }

    /**
     * One row's new tokens in this loop.
     *
     * @param mayShorten a prefill slice: a prefix of it may go now and the rest in a later loop
     * @param tail       how many of its last positions' logits it needs (1; more for drafted tokens)
     */
    record Item(String requestId, RowCache cache, int[] tokens, boolean mayShorten, int tail) {
        Item(String requestId, RowCache cache, int[] tokens, boolean mayShorten) {
            this(requestId, cache, tokens, mayShorten, 1);
        }
    }

    /**
     * What the forward did.
     *
     * @param logits per item, the logits of its last {@code tail} positions fed (one: after the last of its tokens)
     * @param fed    per item, how many of its tokens went into its cache (all, or a prefix of a shortened slice)
     * @param failed requests that ran out of memory in a forward of their own, with that failure; their items'
     *               results are to be ignored (rows of theirs that went in are dropped with the request)
     */
    record Outcome(float[][][] logits, int[] fed, Map<String, RuntimeException> failed) {}

    private final Forward forward;
    private final EngineLimits limits;
    private final AtomicLong outOfMemoryForwards = new AtomicLong();

    BatchRetry(Forward forward, EngineLimits limits) {
        this.forward = forward;
        this.limits = limits;
    }

    /** Forwards that ran out of memory (each retried smaller or failing its request), since start. */
    long outOfMemoryForwards() {
        return outOfMemoryForwards.get();
    }

    Outcome run(List<Item> items) {
        Attempt attempt = new Attempt(items);
        attempt.inBudget(IntStream.range(0, items.size()).boxed().toList());
        return new Outcome(attempt.logits, attempt.fed, attempt.failed);
    }

    /** The state of one {@link #run}: items are referred to by their index. */
    private final class Attempt {
        final List<Item> items;
        final float[][][] logits;
        final int[] fed;
        final Map<String, RuntimeException> failed = new LinkedHashMap<>();

        Attempt(List<Item> items) {
            this.items = items;
            this.logits = new float[items.size()][][];
            this.fed = new int[items.size()];
        }

        /** Forwards the items in sub-batches within the limits; one that runs out of memory is split. */
        void inBudget(List<Integer> which) {
            List<Integer> live = alive(which);
            List<RowCache> caches = live.stream().map(i -> items.get(i).cache()).toList();
            List<int[]> tokens = live.stream().map(i -> items.get(i).tokens()).toList();
            int start = 0;
            while (start < live.size()) {
                int end = limits.batchEnd(caches, tokens, start);
                List<Integer> part = alive(live.subList(start, end)); // a split above may have failed some since
                if (!part.isEmpty()) {
                    RuntimeException oom = tryForward(part, part.stream().map(i -> items.get(i).tokens()).toList());
                    if (oom != null) {
                        split(part, oom);
                    }
                }
                start = end;
            }
        }

        private List<Integer> alive(List<Integer> which) {
            return which.stream().filter(i -> !failed.containsKey(items.get(i).requestId())).toList();
        }

        /** Halves what ran out of memory: by request, then one request's rows, then one row's slice. */
        private void split(List<Integer> part, RuntimeException oom) {
            List<String> requests = part.stream().map(i -> items.get(i).requestId()).distinct().toList();
            if (requests.size() > 1) {
                Set<String> first = new HashSet<>(requests.subList(0, requests.size() / 2));
                inBudget(part.stream().filter(i -> first.contains(items.get(i).requestId())).toList());
                inBudget(part.stream().filter(i -> !first.contains(items.get(i).requestId())).toList());
            } else if (part.size() > 1) {
                inBudget(part.subList(0, part.size() / 2));
                inBudget(part.subList(part.size() / 2, part.size()));
            } else {
                shorten(part.get(0), oom);
            }
        }

        /** A single row: the first half of its slice, then a quarter, ... one token; else its request fails. */
        private void shorten(int index, RuntimeException oom) {
            Item item = items.get(index);
            for (int n = item.tokens().length / 2; item.mayShorten() && n >= 1; n /= 2) {
                RuntimeException again = tryForward(List.of(index), List.of(Arrays.copyOf(item.tokens(), n)));
                if (again == null) {
                    return;
                }
                oom = again;
            }
            failed.put(item.requestId(), oom);
        }

        /** One forward; records its results, or returns its failure when that was out of memory (no row changed). */
        private RuntimeException tryForward(List<Integer> part, List<int[]> tokens) {
            List<RowCache> caches = part.stream().map(i -> items.get(i).cache()).toList();
            int[] lengths = caches.stream().mapToInt(RowCache::length).toArray();
            int[] tails = part.stream().mapToInt(i -> items.get(i).tail()).toArray();
            float[][] out;
            try {
                out = forward.forward(caches, tokens, tails);
            } catch (RuntimeException e) {
                if (!OutOfMemory.explains(e)) {
                    throw e;
                }
                for (int k = 0; k < caches.size(); k++) {
                    if (caches.get(k).length() != lengths[k]) {
                        // Never continue from a half-written row: the caller drops the whole batch.
                        throw new IllegalStateException("a forward that ran out of memory changed row caches", e);
                    }
                }
                outOfMemoryForwards.incrementAndGet();
                return e;
            }
            int at = 0;
            for (int k = 0; k < part.size(); k++) {
                logits[part.get(k)] = Arrays.copyOfRange(out, at, at + tails[k]);
                at += tails[k];
                fed[part.get(k)] = tokens.get(k).length;
            }
            return null;
        }
    }
}
