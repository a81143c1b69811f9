package dev.nbce.launcher;

import dev.nbce.gateway.prompt.ModelTokenizer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Haystack questions over long windows: each case keeps a question of the file and gets windows of
 * about {@code tokens} tokens of text each, the file's documents joined by blank lines in order, no
 * document used twice, so no two cases share a window.
 */
final class LongWindowCases {
    private LongWindowCases() {}

    /**
     * {@code count} cases of {@code windows} windows of at most {@code tokens} tokens (as {@code tokenizer}
     * counts them), questions taken from {@code source} in turn.
     *
     * @throws CliArgs.UsageException if the file's documents run out
     */
    static List<EvalCommand.Case> build(List<EvalCommand.Case> source, ModelTokenizer tokenizer, int tokens, int windows,
                                        int count) {
        LinkedHashSet<String> documents = new LinkedHashSet<>();
        source.forEach(c -> documents.addAll(c.contexts()));
        Iterator<String> next = documents.iterator();
        List<EvalCommand.Case> cases = new ArrayList<>(count);
        String carried = null;
        for (int c = 0; c < count; c++) {
            List<String> contexts = new ArrayList<>(windows);
            for (int w = 0; w < windows; w++) {
                StringBuilder window = new StringBuilder();
                while (true) {
                    String document = carried != null ? carried : nextDocument(next, source.size());
                    carried = null;
                    String longer = window.isEmpty() ? document : window + "\n\n" + document;
                    if (!window.isEmpty() && tokenizer.count(longer) > tokens) {
                        carried = document; // starts the next window
                        break;
                    }
                    window.setLength(0);
                    window.append(longer);
                }
                contexts.add(window.toString());
            }
            EvalCommand.Case question = source.get(c % source.size());
            cases.add(new EvalCommand.Case(windows, contexts, question.question(), question.answer(), -1));
        }
        return cases;
    }

    private static String nextDocument(Iterator<String> documents, int cases) {
        if (!documents.hasNext()) {
            throw new CliArgs.UsageException("the cases file's documents (" + cases + " cases) ran out: ask for fewer"
                    + " windows, requests or window tokens");
        }
        return documents.next();
    }
}
