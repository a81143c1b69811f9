package dev.nbce.gateway.speculation;

/**
 * How many tokens to draft at the next step of one request: at most {@link Speculation#maxDraftTokens()}, no more than
 * the request's rows leave of the forward's token budget, no more than the answer has room for after the step's own
 * token; and after a draft that was cut short, one more than were accepted (a lookup that keeps missing costs little),
 * growing back by one per fully accepted draft.
 */
public final class DraftLength {
    private final Speculation speculation;
    private int allowed;

    public DraftLength(Speculation speculation) {
        this.speculation = speculation;
        this.allowed = speculation.maxDraftTokens();
    }

    /**
     * @param rows       the request's rows decoding next step
     * @param tokensLeft tokens the answer may still take, the step's own token included
     */
    public int next(int rows, int tokensLeft) {
        int byForward = speculation.maxForwardTokens() / Math.max(1, rows) - 1;
        return Math.max(0, Math.min(Math.min(allowed, byForward), tokensLeft - 1));
    }

    /** What the last verification found: {@code accepted} of {@code drafted} tokens. */
    public void verified(int drafted, int accepted) {
        if (drafted == 0) {
            return;
        }
        allowed = accepted == drafted ? Math.min(speculation.maxDraftTokens(), allowed + 1) : Math.max(1, accepted + 1);
    }
}
