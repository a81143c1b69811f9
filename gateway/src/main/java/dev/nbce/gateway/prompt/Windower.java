package dev.nbce.gateway.prompt;

import dev.nbce.gateway.prompt.TextSplitter.Piece;
import dev.nbce.gateway.request.WindowSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Cuts a request's context into windows so that every row, prompt plus {@code max_new_tokens},
 * fits {@code max_position_embeddings}, and tokenizes the rows.
 *
 * <p>A context that fits stays whole and is one window, untouched. A longer one is cut into
 * paragraphs (blank lines); a paragraph too long for a window alone is cut into sentences, and a
 * sentence too long alone into token runs ({@link TextSplitter}). The pieces are packed greedily, in
 * order, as many per window as fit, so a paragraph that fits a window is never broken up: it opens the
 * next window instead. A window never spans two contexts. A {@code document} is one such context, so
 * it becomes as few windows as greedy packing allows. Whitespace at cut points is dropped; all other
 * text is kept, in order. Every window is a range of its context, and the prompt says which
 * ({@link PreparedPrompt#windowSources()}), so clients need not guess where an answer came from.
 *
 * <p>Token counts of pieces are estimates, so the decision near a window's limit and the final
 * check of every window are made on the real row (rendered through the chat template, tokenized).
 *
 * <p>Blank contexts and a blank document are rejected: a row without context would duplicate row 0
 * and shift the window numbers the client sees. No contexts at all is plain generation (row 0 only).
 */
public final class Windower {

    private final ModelTokenizer tokenizer;
    private final RowRenderer renderer;
    private final int maxPositions;
    /** The most tokens a context row holds, answer budget included (at most {@code maxPositions}). */
    private final int windowTokens;
    private final TextSplitter splitter;

    public Windower(ModelTokenizer tokenizer, RowRenderer renderer, int maxPositions) {
        this(tokenizer, renderer, maxPositions, maxPositions);
    }

    /**
     * @param windowTokens how long a context row may be, prompt and answer budget together: documents are
     *                     split into windows of this size; {@code maxPositions} stays the hard limit
     */
    public Windower(ModelTokenizer tokenizer, RowRenderer renderer, int maxPositions, int windowTokens) {
        if (tokenizer == null || renderer == null) {
            throw new IllegalArgumentException("tokenizer and renderer are required");
        }
        if (maxPositions < 2) {
            throw new IllegalArgumentException("maxPositions must be at least 2, got " + maxPositions);
        }
        this.tokenizer = tokenizer;
        this.renderer = renderer;
        this.maxPositions = maxPositions;
        if (windowTokens < 2 || windowTokens > maxPositions) {
            throw new IllegalArgumentException("window_tokens must be within 2.." + maxPositions
                    + " (max_position_embeddings), got " + windowTokens);
        }
        this.windowTokens = windowTokens;
        this.splitter = new TextSplitter(tokenizer);
    }

    /** Each context becomes one window if it fits, else as few as greedy packing gives. */
    public PreparedPrompt prepare(String question, List<String> contexts, int maxNewTokens) {
        return prepare(questionRows(question), contexts, maxNewTokens);
    }

    /**
     * The rows of a conversation (system message, earlier turns, new user turn; see
     * {@link ConversationRows}), with exactly one of {@code contexts} or {@code document} (both absent =
     * no context). The earlier turns count against every row's room for its window.
     */
    public PreparedPrompt prepare(List<ChatMessage> conversation, List<String> contexts, String document,
            int maxNewTokens) {
        return prepare(conversation, null, contexts, document, maxNewTokens);
    }

    /** As {@link #prepare(List, List, String, int)}, with the tools offered to the model (null: none). */
    public PreparedPrompt prepare(List<ChatMessage> conversation, List<Object> tools, List<String> contexts,
            String document, int maxNewTokens) {
        return prepare(renderer.conversation(conversation, tools), contexts, document, maxNewTokens);
    }

    private ConversationRows questionRows(String question) {
        if (question == null || question.isBlank()) {
            throw new IllegalArgumentException("question is empty or blank");
        }
        return renderer.question(question);
    }

    private PreparedPrompt prepare(ConversationRows rows, List<String> contexts, int maxNewTokens) {
        if (contexts == null) {
            throw new IllegalArgumentException("contexts must not be null (use an empty list)");
        }
        for (int i = 0; i < contexts.size(); i++) {
            String context = contexts.get(i);
            if (context == null || context.isBlank()) {
                throw new IllegalArgumentException("contexts[" + i + "] is empty or blank");
            }
        }
        Job job = new Job(rows, maxNewTokens, !contexts.isEmpty());
        for (int i = 0; i < contexts.size(); i++) {
            job.addContext(i, contexts.get(i));
        }
        return job.result();
    }

    /** One long document, windowed. */
    public PreparedPrompt prepareDocument(String question, String document, int maxNewTokens) {
        return prepareDocument(questionRows(question), document, maxNewTokens);
    }

    private PreparedPrompt prepareDocument(ConversationRows rows, String document, int maxNewTokens) {
        if (document == null || document.isBlank()) {
            throw new IllegalArgumentException("document is empty or blank");
        }
        return prepare(rows, List.of(document), maxNewTokens);
    }

    /** Exactly one of {@code contexts} or {@code document} may be given (both absent = no context). */
    public PreparedPrompt prepare(String question, List<String> contexts, String document, int maxNewTokens) {
        if (contexts != null && !contexts.isEmpty() && document != null) {
            throw new IllegalArgumentException("give either contexts or document, not both");
        }
        return prepare(questionRows(question), contexts, document, maxNewTokens);
    }

    private PreparedPrompt prepare(ConversationRows rows, List<String> contexts, String document, int maxNewTokens) {
        if (contexts != null && !contexts.isEmpty() && document != null) {
            throw new IllegalArgumentException("give either contexts or document, not both");
        }
        return document != null
                ? prepareDocument(rows, document, maxNewTokens)
                : prepare(rows, contexts == null ? List.of() : contexts, maxNewTokens);
    }

    /** The state of one request. */
    private final class Job {
        private final ConversationRows rows;
        private final int maxNewTokens;
        private final List<String> windows = new ArrayList<>();
        private final List<WindowSource> sources = new ArrayList<>();
        private final List<int[]> rowIds = new ArrayList<>();
        /** Tokens of a context row around an empty context. */
        private final int overhead;
        /** Context tokens a window may hold, by estimate. */
        private final int budget;

        Job(ConversationRows rows, int maxNewTokens, boolean hasContext) {
            if (maxNewTokens < 1) {
                throw new IllegalArgumentException("max_new_tokens must be at least 1, got " + maxNewTokens);
            }
            this.rows = rows;
            this.maxNewTokens = maxNewTokens;
            int[] row0 = tokenizer.encode(rows.noContextRow());
            if (row0.length + maxNewTokens > maxPositions) {
                throw new PromptTooLongException("question needs " + row0.length + " tokens + max_new_tokens "
                        + maxNewTokens + " > max_position_embeddings " + maxPositions);
            }
            rowIds.add(row0);
            overhead = hasContext ? rowIds(rows.contextRow("")).length : 0;
            budget = windowTokens - maxNewTokens - overhead;
            if (hasContext && budget < 1) {
                throw noRoomForContext();
            }
        }

        void addContext(int index, String context) {
            List<Piece> paragraphs = splitter.paragraphs(context);
            // Tokenizing a huge document as one row only to learn it does not fit is skipped when the
            // estimate is far beyond the budget; pieces are cut at whitespace, where estimates are near exact.
            if (estimate(context, paragraphs) <= 2L * budget + 64) {
                int[] whole = rowIds(rows.contextRow(context));
                if (fits(whole)) {
                    add(context, new WindowSource(index, 0, context.length()), whole);
                    return;
                }
            }
            pack(index, context, paragraphs);
        }

        private long estimate(String text, List<Piece> pieces) {
            long tokens = 0;
            for (int i = 0; i < pieces.size(); i++) {
                tokens += pieces.get(i).tokens();
                if (i > 0) {
                    tokens += gapTokens(text, pieces.get(i - 1).end(), pieces.get(i).start());
                }
            }
            return tokens;
        }

        PreparedPrompt result() {
            int[] counts = new int[rowIds.size()];
            for (int r = 0; r < counts.length; r++) {
                counts[r] = rowIds.get(r).length;
            }
            return new PreparedPrompt(windows, sources, rowIds, counts);
        }

        /** Greedy packing of the pieces of one context into windows. */
        private void pack(int index, String text, List<Piece> paragraphs) {
            Deque<Piece> queue = new ArrayDeque<>(paragraphs);
            Window current = new Window();
            while (!queue.isEmpty() || !current.pieces.isEmpty()) {
                if (queue.isEmpty()) {
                    close(index, text, current, queue);
                    continue;
                }
                Piece piece = queue.pollFirst();
                if (piece.tokens() > budget) {
                    pushFront(queue, cutFiner(text, piece, budget));
                    continue;
                }
                if (current.pieces.isEmpty()) {
                    current.add(piece, piece.tokens(), null);
                    continue;
                }
                int estimate = current.tokens + gapTokens(text, current.end(), piece.start()) + piece.tokens();
                if (estimate <= budget) {
                    current.add(piece, estimate, null);
                    continue;
                }
                // Near the limit: ask the real row.
                int[] ids = rowIds(rows.contextRow(text.substring(current.start(), piece.end())));
                if (fits(ids)) {
                    current.add(piece, ids.length - overhead, ids);
                } else {
                    queue.addFirst(piece);
                    close(index, text, current, queue);
                }
            }
        }

        /**
         * Emits the pieces of {@code current} as one window, handing trailing pieces back to the queue
         * while the real row is too long; a lone piece that is too long is cut finer instead.
         */
        private void close(int index, String text, Window current, Deque<Piece> queue) {
            while (!current.pieces.isEmpty()) {
                String window = text.substring(current.start(), current.end());
                int[] ids = current.checkedIds != null
                        ? current.checkedIds
                        : rowIds(rows.contextRow(window));
                if (fits(ids)) {
                    add(window, new WindowSource(index, current.start(), current.end()), ids);
                    current.clear();
                    return;
                }
                if (current.pieces.size() > 1) {
                    queue.addFirst(current.removeLast());
                    continue;
                }
                Piece only = current.removeLast();
                int excess = ids.length + maxNewTokens - windowTokens;
                pushFront(queue, cutFiner(text, only, only.tokens() - Math.max(1, excess)));
            }
        }

        private List<Piece> cutFiner(String text, Piece piece, int maxTokens) {
            if (piece.level() == TextSplitter.Level.TOKEN && (maxTokens < 1 || piece.tokens() <= 1)) {
                throw noRoomForContext();
            }
            List<Piece> finer = splitter.finer(text, piece, maxTokens);
            if (finer.size() == 1 && finer.get(0).equals(piece)) {
                throw noRoomForContext(); // a single character longer than the whole budget
            }
            return finer;
        }

        /** Whitespace between pieces costs tokens only when it holds a line break; spaces join the next word. */
        private int gapTokens(String text, int from, int to) {
            String gap = text.substring(from, to);
            return gap.indexOf('\n') < 0 ? 0 : tokenizer.count(gap);
        }

        private void add(String window, WindowSource source, int[] ids) {
            windows.add(window);
            sources.add(source);
            rowIds.add(ids);
        }

        private boolean fits(int[] rowIds) {
            return rowIds.length + maxNewTokens <= windowTokens;
        }

        private int[] rowIds(String row) {
            return tokenizer.encode(row);
        }

        private PromptTooLongException noRoomForContext() {
            return new PromptTooLongException("question leaves no room for context: a context row needs "
                    + overhead + " tokens before any context + max_new_tokens " + maxNewTokens + " >= "
                    + (windowTokens < maxPositions ? "window_tokens " + windowTokens + " (max_position_embeddings "
                    + maxPositions + ")" : "max_position_embeddings " + maxPositions));
        }
    }

    /** The pieces of the window being filled, its estimated context tokens, and its row ids if checked. */
    private static final class Window {
        final List<Piece> pieces = new ArrayList<>();
        int tokens;
        /** The real row ids of exactly these pieces, or null when not checked since the last change. */
        int[] checkedIds;

        void add(Piece piece, int newTokens, int[] ids) {
            pieces.add(piece);
            tokens = newTokens;
            checkedIds = ids;
        }

        Piece removeLast() {
            checkedIds = null;
            return pieces.remove(pieces.size() - 1);
        }

        void clear() {
            pieces.clear();
            tokens = 0;
            checkedIds = null;
        }

        int start() {
            return pieces.get(0).start();
        }

        int end() {
            return pieces.get(pieces.size() - 1).end();
        }
    }

    private static void pushFront(Deque<Piece> queue, List<Piece> pieces) {
        for (int i = pieces.size() - 1; i >= 0; i--) {
            queue.addFirst(pieces.get(i));
        }
    }
}
