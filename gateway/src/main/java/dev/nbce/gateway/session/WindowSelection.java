package dev.nbce.gateway.session;

import dev.nbce.common.nbce.ShardReport;
import dev.nbce.common.step.Selection;
import dev.nbce.gateway.request.SelectionOutcome;
import dev.nbce.gateway.request.GenerationRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * A request's window selection (docs/nbce-modes.md): which rows are prefilled, and after which step the rows of
 * windows not kept stop decoding. Without a selection every row decodes every step (the reference NBCE). Pure:
 * decisions depend only on the plan and the reports, never on placement, so they are the same on any number of
 * workers. Used on the session's context only.
 */
final class WindowSelection {
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");

    private final Selection selection;
    private final List<String> windowTexts;
    /** The question's terms (see {@link #saliencyRanking}). */
    private final Set<String> questionTerms;
    private final int windows;
    /** Entropy rule: each window's entropy summed over the steps seen so far ([windows]). */
    private final double[] entropySums;
    private int[] keptWindows;
    private int droppedAtStep = -1;

    WindowSelection(GenerationPlan plan) {
        this.selection = plan.request().nbce().selection();
        this.windowTexts = plan.windowTexts();
        this.questionTerms = selection != null && selection.rule() == Selection.Rule.SALIENCY ? questionTerms(plan) : Set.of();
        this.windows = plan.windowCount();
        this.entropySums = new double[windows];
    }

    /** The rows to prefill: every row, or row 0 and the windows the saliency rule keeps. */
    List<Integer> initialRows() {
        if (selects() && selection.rule() == Selection.Rule.SALIENCY) {
            keep(saliencyRanking(), 0);
        }
        List<Integer> rows = new ArrayList<>(List.of(0));
        IntStream.range(0, windows).filter(this::isKept).forEach(w -> rows.add(w + 1));
        return rows;
    }

    /**
     * Takes the reports of {@code step} (the token of that step is chosen); returns the rows that stop decoding
     * from the next step on, usually none.
     */
    List<Integer> afterStep(int step, List<ShardReport> reports) {
        if (!selects() || selection.rule() != Selection.Rule.ENTROPY || keptWindows != null) {
            return List.of();
        }
        for (ShardReport report : reports) {
            for (int i = 0; i < report.rows().length; i++) {
                if (report.rows()[i] >= 1) {
                    entropySums[report.rows()[i] - 1] += report.entropies()[i];
                }
            }
        }
        if (step + 1 < selection.afterSteps()) {
            return List.of();
        }
        // Lowest summed entropy first, ties to the lower window (as the combination's argmin).
        keep(IntStream.range(0, windows).boxed()
                .sorted(Comparator.<Integer>comparingDouble(w -> entropySums[w]).thenComparing(w -> w)).toList(), step + 1);
        return IntStream.range(0, windows).filter(w -> !isKept(w)).mapToObj(w -> w + 1).toList();
    }

    /** What the selection did, for the result; null without a selection. */
    SelectionOutcome outcome() {
        if (selection == null) {
            return null;
        }
        int[] kept = IntStream.range(0, windows).filter(this::isKept).toArray();
        return new SelectionOutcome(selection.rule().wireName(), kept, droppedAtStep);
    }

    /** Whether the request selects at all: a selection that keeps at least as many windows as there are is none. */
    private boolean selects() {
        return selection != null && selection.keep() < windows;
    }

    private boolean isKept(int window) {
        return keptWindows == null || Arrays.binarySearch(keptWindows, window) >= 0;
    }

    private void keep(List<Integer> ranking, int step) {
        keptWindows = ranking.stream().limit(selection.keep()).mapToInt(Integer::intValue).sorted().toArray();
        droppedAtStep = step;
    }

    /**
     * Windows by question saliency, best first (ties to the lower window): the sum, over the question's distinct
     * terms (words and word bigrams, lower case) that the window holds, of their inverse document frequency among
     * the windows (BM25's idf), so a term every window holds ("the", "secret code") counts nearly nothing and a
     * name counts most; bigrams reward a name or phrase kept whole. Words, not token ids: a word at the start of a
     * window is often another token than the same word inside the question.
     */
    private List<Integer> saliencyRanking() {
        List<Set<String>> held = new ArrayList<>();
        Map<String, Integer> documentFrequency = new HashMap<>();
        for (int w = 0; w < windows; w++) {
            Set<String> inWindow = termsHeld(w);
            inWindow.forEach(t -> documentFrequency.merge(t, 1, Integer::sum));
            held.add(inWindow);
        }
        double[] scores = new double[windows];
        for (int w = 0; w < windows; w++) {
            for (String term : held.get(w)) {
                double df = documentFrequency.get(term);
                scores[w] += Math.log(1 + (windows - df + 0.5) / (df + 0.5));
            }
        }
        return IntStream.range(0, windows).boxed()
                .sorted(Comparator.<Integer>comparingDouble(w -> -scores[w]).thenComparing(w -> w)).toList();
    }

    /** The question's terms that window {@code w} holds. */
    private Set<String> termsHeld(int w) {
        Set<String> inWindow = terms(windowTexts.get(w));
        inWindow.retainAll(questionTerms);
        return inWindow;
    }

    /** The question's terms: of the question, the prompt of a completion, or a conversation's last message. */
    private static Set<String> questionTerms(GenerationPlan plan) {
        GenerationRequest request = plan.request();
        String question = request.question() != null ? request.question()
                : request.prompt() != null ? request.prompt()
                : request.messages().get(request.messages().size() - 1).text();
        return terms(question);
    }

    /** The terms of a text: its lower-cased words and each pair of adjacent words. */
    private static Set<String> terms(String text) {
        List<String> words = WORD.matcher(text.toLowerCase(Locale.ROOT)).results().map(MatchResult::group).toList();
        Set<String> terms = new HashSet<>(words);
        for (int i = 0; i + 1 < words.size(); i++) {
            terms.add(words.get(i) + " " + words.get(i + 1));
        }
        return terms;
    }
}
