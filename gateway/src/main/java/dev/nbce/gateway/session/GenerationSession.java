package dev.nbce.gateway.session;

import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;
import dev.nbce.common.nbce.NbceCombiner;
import dev.nbce.common.nbce.RepetitionPenalty;
import dev.nbce.common.nbce.ScoreVector;
import dev.nbce.common.nbce.ShardReport;
import dev.nbce.common.nbce.TokenLogprob;
import dev.nbce.common.nbce.TokenSampler;
import dev.nbce.gateway.request.FinishReason;
import dev.nbce.gateway.request.GenerationRequest;
import dev.nbce.gateway.request.GenerationResult;
import dev.nbce.gateway.request.OutputOptions;
import dev.nbce.gateway.speculation.DraftLength;
import dev.nbce.gateway.speculation.Drafter;
import dev.nbce.gateway.speculation.Speculation;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The per-request step loop (docs/design.md: The NBCE step): the rows report on the current step, their reports
 * are combined centrally, a token is chosen and streamed, every row appends it, repeat. Where the
 * rows run is {@link RowPlacer}'s business, what the tokens say {@link AnswerStream}'s. A greedy request may send
 * draft tokens with its token, and then one round of reports covers several positions, walked one by one
 * (docs/speculative-decoding.md). Runs on one Vert.x context; every callback below happens there, so the fields
 * need no locking.
 */
public final class GenerationSession {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(GenerationSession.class);
    private static final int[] NO_DRAFTS = {};

    private final GenerationPlan plan;
    private final GenerationRequest request;
    private final SessionListener listener;
    private final RandomGenerator random;
    private final Transcript transcript = new Transcript();
    private final RowPlacer rows;
    private final AnswerStream answer;
    private final WindowSelection selection;
    private final Promise<GenerationResult> result = Promise.promise();
    private final List<TokenLogprob> logprobs = new ArrayList<>();
    /** Drafts come from here; null when this request does not speculate. */
    private final Drafter drafter;
    private final DraftLength draftLength;
    /** The drafts fed at the step whose reports are awaited. */
    private int[] drafts = NO_DRAFTS;
    private boolean finished;

    /**
     * @param clock        the timers of retries while the workers are full
     * @param capacityWait how long a request may wait for free rows before it fails with no_capacity
     */
    public GenerationSession(GenerationPlan plan, RowExecutor executor, TextStream text, SessionListener listener,
                             SessionClock clock, Duration capacityWait) {
        this(plan, executor, text, listener, clock, capacityWait, Speculation.OFF);
    }

    /** @param speculation how greedy requests draft tokens (docs/speculative-decoding.md); OFF never drafts */
    public GenerationSession(GenerationPlan plan, RowExecutor executor, TextStream text, SessionListener listener,
                             SessionClock clock, Duration capacityWait, Speculation speculation) {
        this.plan = plan;
        this.request = plan.request();
        this.listener = listener;
        this.random = TokenSampler.randomFor(request.seed());
        this.rows = new RowPlacer(plan, transcript, executor, clock, capacityWait, listener);
        this.answer = new AnswerStream(plan, text, listener);
        this.selection = new WindowSelection(plan);
        boolean speculates = speculation.enabled() && request.temperature() == 0 && request.constraint() == null;
        this.drafter = speculates ? speculation.drafters().forWindows(plan.rowTokenIds().subList(1, plan.rowCount())) : null;
        this.draftLength = new DraftLength(speculation);
    }

    public String requestId() {
        return plan.requestId();
    }

    /** Starts generating; the future completes with the result, or fails with an {@link NbceException}. */
    public Future<GenerationResult> start() {
        rows.openAll(selection.initialRows()).onComplete(this::onReports);
        return result.future();
    }

    /** Stops the request now and frees its rows on every worker. */
    public void cancel() {
        finish(FinishReason.CANCELLED);
    }

    private void onReports(AsyncResult<StepReports> reports) {
        if (finished) {
            return;
        }
        if (reports.failed()) {
            fail(NbceException.of(reports.cause()));
            return;
        }
        try {
            walk(reports.result());
        } catch (RuntimeException e) {
            // A bug here must end this request with an error, never leave its client waiting.
            LOG.error("request {} failed at step {}", plan.requestId(), transcript.size(), e);
            fail(new NbceException(ErrorCode.INTERNAL, "generation failed: " + NbceException.describe(e)));
        }
    }

    /**
     * NBCE steps 5–8 at the step's position and then at each drafted position the workers verified, in order
     * (docs/speculative-decoding.md): a draft token is accepted while it is the very token this step chooses, and
     * the first token that differs (or follows the last draft) ends the walk and is sent to the rows.
     */
    private void walk(StepReports reports) {
        int[] drafts = this.drafts;
        int verified = Math.min(drafts.length, reports.draftedPositions());
        for (int j = 0; ; j++) {
            int step = transcript.size();
            List<ShardReport> atPosition = j == 0 ? reports.first()
                    : reports.drafted(j - 1, transcript.previousChosenRow(), request.nbce());
            NbceCombiner.Combination combination = NbceCombiner.combine(atPosition, request.nbce());
            int token = choose(combination, atPosition);
            boolean matched = j < verified && token == drafts[j];
            if (finished) {
                draftsVerified(drafts.length, j + (matched ? 1 : 0));
                return;
            }
            List<Integer> drop = selection.afterStep(step, atPosition);
            if (matched && drop.isEmpty()) {
                continue;
            }
            draftsVerified(drafts.length, j + (matched ? 1 : 0));
            this.drafts = nextDrafts();
            rows.advance(token, combination.chosenRow(), drop, j, this.drafts).onComplete(this::onReports);
            return;
        }
    }

    /** Tells the draft length and the listener how many of a step's drafts were right. */
    private void draftsVerified(int drafted, int accepted) {
        if (drafted > 0) {
            draftLength.verified(drafted, accepted);
            listener.onDraftVerified(drafted, accepted);
        }
    }

    /** docs/design.md: NBCE steps 6–8 on a combination: the token, appended to the answer (which may end it). */
    private int choose(NbceCombiner.Combination combination, List<ShardReport> reports) {
        long t0 = System.nanoTime();
        OutputOptions output = request.output();
        ScoreVector scores = RepetitionPenalty.apply(constrainedScores(combination, reports), transcript.counts(),
                output.presencePenalty(), output.frequencyPenalty());
        int token = TokenSampler.sample(scores, request.temperature(), request.topK(), random);
        TokenLogprob logprob = output.wantsLogprobs() ? TokenLogprob.of(scores, token, output.logprobs()) : null;
        if (logprob != null) {
            logprobs.add(logprob);
        }
        listener.onStep(transcript.size(), System.nanoTime() - t0);
        transcript.append(token, combination.chosenRow());
        FinishReason end = answer.accept(token, combination.chosenRow() - 1, transcript.size(), logprob);
        if (end == FinishReason.EOS && logprob != null) {
            logprobs.remove(logprobs.size() - 1);
        }
        if (end != null) {
            finish(end);
        }
        return token;
    }

    /**
     * The drafts to feed after the next token (prompt lookup by default), for greedy requests without a constraint only (a
     * sampled token is not decided by the scores alone, and a constraint's state would have to follow the drafts).
     */
    private int[] nextDrafts() {
        if (drafter == null) {
            return NO_DRAFTS;
        }
        int size = transcript.size();
        int room = Math.min(request.maxNewTokens() - size, plan.maxPositions() - 1 - plan.longestPrompt() - size);
        int max = draftLength.next(rows.placedRows(), room);
        if (max == 0) {
            return NO_DRAFTS;
        }
        int[] drafts = drafter.draft(transcript.tokenIds(), transcript.previousChosenRow() - 1, max);
        return drafts.length <= max ? drafts : java.util.Arrays.copyOf(drafts, max);
    }

    /**
     * The final scores; under a constraint, where the rows' nuclei share no allowed token (average pooling with
     * top-p can leave nothing every row kept), row 0's constrained scores instead: a token must come from what the
     * constraint allows, never from an empty distribution's lowest id (docs/structured-output.md).
     */
    private ScoreVector constrainedScores(NbceCombiner.Combination combination, List<ShardReport> reports) {
        ScoreVector scores = combination.finalScores();
        if (request.constraint() == null || hasFinite(scores)) {
            return scores;
        }
        return reports.stream().map(ShardReport::row0).filter(java.util.Objects::nonNull).findFirst().orElse(scores);
    }

    private static boolean hasFinite(ScoreVector scores) {
        for (int i = 0; i < scores.size(); i++) {
            if (scores.valueAtIndex(i) != Double.NEGATIVE_INFINITY) {
                return true;
            }
        }
        return false;
    }

    private void finish(FinishReason reason) {
        if (finished) {
            return;
        }
        finished = true;
        rows.closeAll();
        result.tryComplete(new GenerationResult(answer.text(), transcript.tokenIds(), transcript.selectedWindows(),
                reason, plan.usage(transcript.size()), plan.windowSources(), logprobs, plan.documentMessage(),
                selection.outcome()));
    }

    private void fail(NbceException cause) {
        if (finished) {
            return;
        }
        finished = true;
        rows.closeAll();
        result.tryFail(cause);
    }
}
