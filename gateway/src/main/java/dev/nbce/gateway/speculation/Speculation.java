package dev.nbce.gateway.speculation;

/**
 * How the gateway speculates (docs/speculative-decoding.md): greedy requests draft tokens by prompt lookup and every
 * row verifies them in one forward.
 *
 * @param maxDraftTokens     the most tokens drafted per step, 0..{@value #MAX_DRAFT_TOKENS}; 0 turns speculation off
 * @param maxForwardTokens   the most tokens a step of one request may feed its rows together (rows × (1 + drafts)):
 *                           past that a forward is compute-bound and verifying costs as much as decoding, so the
 *                           draft shrinks, to nothing for a request with more rows than this
 * @param drafters           where drafts come from: {@link PromptLookup} (tests give drafters of their own)
 */
public record Speculation(int maxDraftTokens, int maxForwardTokens, Drafter.Factory drafters) {
    /** The most drafts an advance carries ({@code Advance.MAX_DRAFTS}). */
    public static final int MAX_DRAFT_TOKENS = 16;
    public static final Speculation OFF = new Speculation(0, 1);
    /** Four drafts; 16 tokens a forward, near where this project's dev CPU turns compute-bound on a 0.5B model. */
    public static final Speculation DEFAULT = new Speculation(4, 16);

    /** Drafts by {@link PromptLookup}. */
    public Speculation(int maxDraftTokens, int maxForwardTokens) {
        this(maxDraftTokens, maxForwardTokens, PromptLookup::new);
    }

    public Speculation {
        if (maxDraftTokens < 0 || maxDraftTokens > MAX_DRAFT_TOKENS || maxForwardTokens < 1 || drafters == null) {
            throw new IllegalArgumentException("speculation: draft tokens within 0.." + MAX_DRAFT_TOKENS
                    + " and forward tokens >= 1, got " + maxDraftTokens + " and " + maxForwardTokens);
        }
    }

    public boolean enabled() {
        return maxDraftTokens > 0;
    }
}
