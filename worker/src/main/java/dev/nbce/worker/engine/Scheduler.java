package dev.nbce.worker.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * Decides what each engine loop feeds the model: decode steps first, in a forward of their own, then
 * prefill slices. While any request is decoding, prefill advances by at most one chunk of tokens over
 * all new rows per loop, so a stream's next token waits for one chunk, never for a whole long prompt
 * (chunked prefill interleaved with decode, as vLLM and TGI schedule it); with no stream waiting,
 * prompts are prefilled at full speed. Opens wait here, oldest first, until every row's prompt is in.
 *
 * <p>Plain state, no thread and no model: the engine thread owns it.
 */
final class Scheduler {
    /** The next {@code tokens} of row {@code row} of {@code job}, for this loop's prefill forward. */
    record Slice(Prefill job, int row, int[] tokens) {}

    private final int chunkTokens;
    private final ArrayDeque<Prefill> prefilling = new ArrayDeque<>();

    /** @param chunkTokens most prompt tokens one row feeds per forward, and all rows per loop while streams wait */
    Scheduler(int chunkTokens) {
        this.chunkTokens = chunkTokens;
    }

    /**
     * Queues this loop's opens for prefill and returns its decode steps, which run first. Opens join
     * before streams are counted: a request alone on the worker is prefilled at full speed, not one
     * chunk per loop as if it were a stream waiting for itself.
     */
    List<Pending> decodeFirst(List<Pending> pending) {
        pending.stream().filter(Pending::open).map(Prefill::new).forEach(prefilling::add);
        return pending.stream().filter(p -> !p.open()).toList();
    }

    /** Of {@code requests} open here, those whose rows are all prefilled: the ones that send an Advance next. */
    long decoding(int requests) {
        return requests - prefilling.stream().map(Prefill::requestId).distinct().count();
    }

    /** Prompt tokens this loop may prefill: one chunk while a stream waits for its next token, else no limit. */
    int prefillBudget(List<Pending> decodes, int requests) {
        boolean streamsWaiting = !decodes.isEmpty() || decoding(requests) > 0;
        return streamsWaiting ? chunkTokens : Integer.MAX_VALUE;
    }

    /**
     * The slices of this loop's prefill: oldest open first, each row's slice at most one chunk, at most
     * {@code budget} tokens in all. Slices continue where the cache ends, so the result equals one pass.
     */
    List<Slice> slices(int budget) {
        List<Slice> slices = new ArrayList<>();
        int left = budget;
        for (Prefill job : prefilling) {
            for (int i = 0; i < job.fed.length && left > 0; i++) {
                int[] all = job.pending.tokens().get(i);
                int n = Math.min(Math.min(chunkTokens, left), all.length - job.fed[i]);
                if (n <= 0) {
                    continue;
                }
                slices.add(new Slice(job, i, Arrays.copyOfRange(all, job.fed[i], job.fed[i] + n)));
                left -= n;
            }
            if (left <= 0) {
                break;
            }
        }
        return slices;
    }

    /** Removes and returns the oldest open whose rows are all in, or null. */
    Prefill pollDone() {
        for (Iterator<Prefill> it = prefilling.iterator(); it.hasNext(); ) {
            Prefill job = it.next();
            if (job.done()) {
                it.remove();
                return job;
            }
        }
        return null;
    }

    boolean isEmpty() {
        return prefilling.isEmpty();
    }

    /** Whether rows of the request are still being prefilled. */
    boolean prefilling(String requestId) {
        return prefilling.stream().anyMatch(p -> p.requestId().equals(requestId));
    }

    /** The opens being prefilled, oldest first (read only). */
    Collection<Prefill> jobs() {
        return Collections.unmodifiableCollection(prefilling);
    }

    void remove(Prefill job) {
        prefilling.remove(job);
    }

    /** Removes and returns the request's opens (their callers are to be answered). */
    List<Prefill> remove(String requestId) {
        List<Prefill> removed = new ArrayList<>();
        for (Iterator<Prefill> it = prefilling.iterator(); it.hasNext(); ) {
            Prefill job = it.next();
            if (job.requestId().equals(requestId)) {
                it.remove();
                removed.add(job);
            }
        }
        return removed;
    }

    /** Removes and returns every open (the engine is stopping). */
    List<Prefill> drain() {
        List<Prefill> all = new ArrayList<>(prefilling);
        prefilling.clear();
        return all;
    }
}
