package dev.nbce.gateway.service;

import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Bounds the work the gateway takes on: at most {@code maxActive} generations run; up to
 * {@code maxQueued} more wait in FIFO order; beyond that requests are refused with "overloaded"
 * (HTTP 429) with an estimate of when to come back. Used on one event loop only.
 */
public final class AdmissionControl {
    /** A waiting request: started when a slot frees, or dropped when its client goes away. */
    public interface Ticket {
        void start();

        boolean abandoned();
    }

    private final int maxActive;
    private final int maxQueued;
    private final Deque<Ticket> waiting = new ArrayDeque<>();
    private int active;

    public AdmissionControl(int maxActive, int maxQueued) {
        if (maxActive < 1 || maxQueued < 0) {
            throw new IllegalArgumentException("admission limits must be positive");
        }
        this.maxActive = maxActive;
        this.maxQueued = maxQueued;
    }

    /** Starts the ticket now or queues it. @throws NbceException overloaded, with a retry estimate, when the queue is full */
    public void admit(Ticket ticket) {
        if (active < maxActive) {
            active++;
            ticket.start();
        } else if (waiting.size() < maxQueued) {
            waiting.addLast(ticket);
        } else {
            int retryAfter = retryAfterSeconds();
            throw new NbceException(ErrorCode.OVERLOADED, "server is at capacity (" + maxActive + " running, "
                    + maxQueued + " queued); retry after " + retryAfter + " s", retryAfter);
        }
    }

    /** A running generation ended: start the next waiting one that still has a client. */
    public void release() {
        active--;
        while (!waiting.isEmpty() && active < maxActive) {
            Ticket next = waiting.pollFirst();
            if (!next.abandoned()) {
                active++;
                next.start();
            }
        }
    }

    public int queued() {
        return waiting.size();
    }

    /** Seconds until a slot is likely free: one round of the running generations per full queue's worth ahead. */
    public int retryAfterSeconds() {
        return 1 + waiting.size() / Math.max(1, maxActive);
    }
}
