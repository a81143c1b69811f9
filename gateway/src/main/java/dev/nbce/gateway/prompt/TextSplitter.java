package dev.nbce.gateway.prompt;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cuts a text into pieces at ever finer boundaries: paragraphs (blank lines), sentences ({@code .},
 * {@code !} or {@code ?}, optionally closing quotes or brackets, then whitespace), and finally token
 * runs. Pieces are ranges of the original text with the whitespace at their edges left out, so
 * nothing but whitespace at cut points is ever lost. Token counts are estimates (each piece encoded
 * alone); the {@link Windower} checks real rows.
 */
final class TextSplitter {

    enum Level { PARAGRAPH, SENTENCE, TOKEN }

    /** {@code [start, end)} of the source text, its estimated token count, and how it was cut. */
    record Piece(int start, int end, int tokens, Level level) {
        Piece {
            if (start < 0 || end <= start) {
                throw new IllegalArgumentException("empty piece [" + start + ", " + end + ")");
            }
        }
    }

    private static final Pattern PARAGRAPH_BREAK = Pattern.compile("\\n\\s*\\n");
    private static final Pattern SENTENCE_END = Pattern.compile("[.!?][\"'\\u201D\\u2019)\\]]*(\\s+)");

    private final ModelTokenizer tokenizer;

    TextSplitter(ModelTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** The paragraphs of the whole text. */
    List<Piece> paragraphs(String text) {
        List<Piece> pieces = new ArrayList<>();
        Matcher breaks = PARAGRAPH_BREAK.matcher(text);
        int start = 0;
        while (breaks.find()) {
            addTrimmed(text, start, breaks.start(), Level.PARAGRAPH, pieces);
            start = breaks.end();
        }
        addTrimmed(text, start, text.length(), Level.PARAGRAPH, pieces);
        return pieces;
    }

    /** The next finer cut of a piece; a token-level piece is re-cut into runs of at most {@code maxTokens}. */
    List<Piece> finer(String text, Piece piece, int maxTokens) {
        return switch (piece.level()) {
            case PARAGRAPH -> sentences(text, piece);
            case SENTENCE, TOKEN -> tokenRuns(text, piece, maxTokens);
        };
    }

    private List<Piece> sentences(String text, Piece paragraph) {
        List<Piece> pieces = new ArrayList<>();
        Matcher ends = SENTENCE_END.matcher(text).region(paragraph.start(), paragraph.end());
        int start = paragraph.start();
        while (ends.find()) {
            addTrimmed(text, start, ends.start(1), Level.SENTENCE, pieces);
            start = ends.end(1);
        }
        addTrimmed(text, start, paragraph.end(), Level.SENTENCE, pieces);
        return pieces;
    }

    /**
     * Runs of at most {@code maxTokens} tokens (at least one). A cut never falls inside a character
     * that spans several byte tokens: it moves back to the previous character boundary, or forward
     * when the run would be empty, so a run can exceed the limit only for a single huge character.
     */
    private List<Piece> tokenRuns(String text, Piece piece, int maxTokens) {
        int limit = Math.max(1, maxTokens);
        ModelTokenizer.TokenSpans spans = tokenizer.encodeWithSpans(text.substring(piece.start(), piece.end()));
        int n = spans.ids().length;
        List<Piece> pieces = new ArrayList<>();
        int runStart = 0; // token index
        int charStart = piece.start();
        while (runStart < n) {
            int cut = Math.min(runStart + limit, n);
            while (cut < n && cut > runStart + 1 && !isCharBoundary(spans, cut)) {
                cut--;
            }
            while (cut < n && !isCharBoundary(spans, cut)) {
                cut++;
            }
            int charEnd = cut == n ? piece.end() : piece.start() + spans.starts()[cut];
            if (charEnd > charStart) {
                addTrimmed(text, charStart, charEnd, Level.TOKEN, cut - runStart, pieces);
            }
            charStart = charEnd;
            runStart = cut;
        }
        return pieces;
    }

    /** Token {@code i} starts a new character rather than continuing the previous token's one. */
    private static boolean isCharBoundary(ModelTokenizer.TokenSpans spans, int i) {
        return spans.starts()[i] >= spans.ends()[i - 1];
    }

    private void addTrimmed(String text, int start, int end, Level level, List<Piece> into) {
        int[] range = trim(text, start, end);
        if (range != null) {
            into.add(new Piece(range[0], range[1], tokenizer.count(text.substring(range[0], range[1])), level));
        }
    }

    private static void addTrimmed(String text, int start, int end, Level level, int tokens, List<Piece> into) {
        int[] range = trim(text, start, end);
        if (range != null) {
            into.add(new Piece(range[0], range[1], tokens, level));
        }
    }

    private static int[] trim(String text, int start, int end) {
        while (start < end && Character.isWhitespace(text.charAt(start))) {
            start++;
        }
        while (end > start && Character.isWhitespace(text.charAt(end - 1))) {
            end--;
        }
        return start < end ? new int[] {start, end} : null;
    }
}
