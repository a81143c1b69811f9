package dev.nbce.gateway.prompt;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A model's Hugging Face tokenizer ({@code tokenizer.json}), loaded from disk through DJL's native
 * binding, configured to reproduce {@code tokenizer(text, add_special_tokens=False)}: no special
 * tokens added (the chat template already writes BOS and friends, as {@code apply_chat_template}
 * assumes), no truncation (DJL would otherwise cut at 512 tokens), no padding.
 *
 * <p>Thread-safe: the native tokenizer is immutable once configured.
 */
public final class ModelTokenizer implements AutoCloseable {

    public static final String TOKENIZER_FILE = "tokenizer.json";

    private final HuggingFaceTokenizer tokenizer;
    private final Map<String, Integer> tokenIds;

    private ModelTokenizer(HuggingFaceTokenizer tokenizer, Map<String, Integer> tokenIds) {
        this.tokenizer = tokenizer;
        this.tokenIds = tokenIds;
    }

    /** Loads {@code tokenizer.json} from a model directory (or the file itself); never touches the hub. */
    public static ModelTokenizer load(Path modelDirOrFile) throws IOException {
        Path file = Files.isDirectory(modelDirOrFile) ? modelDirOrFile.resolve(TOKENIZER_FILE) : modelDirOrFile;
        if (!Files.isRegularFile(file)) {
            throw new IOException("no tokenizer.json at " + file);
        }
        // The native tokenizer and the vocabulary each read the whole file: read them side by side.
        CompletableFuture<Map<String, Integer>> ids = CompletableFuture.supplyAsync(() -> {
            try {
                return TokenVocabulary.read(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        HuggingFaceTokenizer native_;
        try {
            native_ = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(file)
                    .optAddSpecialTokens(false)
                    .optTruncation(false)
                    .optPadding(false)
                    .build();
        } catch (IOException | RuntimeException e) {
            ids.cancel(false);
            throw e;
        }
        try {
            return new ModelTokenizer(native_, ids.join());
        } catch (CompletionException e) {
            native_.close();
            if (e.getCause() instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            throw e;
        }
    }

    /** Token ids of {@code text}, exactly as Hugging Face's fast tokenizer gives them. */
    public int[] encode(String text) {
        return toInts(ids(text));
    }

    /**
     * The ids of the native encoding alone: DJL's {@code encode} is the same native call, then copies
     * the tokens' strings, masks and offsets into Java too, about half the time of a row's ids. (Its
     * text preparation is off here: no prefix space, lower-casing or accent stripping is configured.)
     */
    private long[] ids(String text) {
        long encoding = TokenizersLibrary.LIB.encode(tokenizer.getHandle(), text, false);
        try {
            return TokenizersLibrary.LIB.getTokenIds(encoding);
        } finally {
            TokenizersLibrary.LIB.deleteEncoding(encoding);
        }
    }

    /** Token ids with the tokenizer's own special tokens (e.g. BOS) added as its post-processor says. */
    public int[] encodeWithSpecialTokens(String text) {
        return toInts(tokenizer.encode(text, true, false).getIds());
    }

    /**
     * The most UTF-8 bytes one vocabulary entry spells (as stored: byte-level BPE's stand-in characters
     * make this an over-estimate, which is the safe side for a lower bound on token counts).
     */
    public int longestTokenBytes() {
        return tokenIds.keySet().stream().mapToInt(t -> t.getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                .max().orElse(1);
    }

    /** One more than the largest token id the tokenizer knows (added tokens included). */
    public int vocabularySize() {
        return tokenIds.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
    }

    /** Number of tokens of {@code text}. */
    public int count(String text) {
        return ids(text).length;
    }

    /**
     * Ids plus, for each token, the UTF-16 range of {@code text} it came from. Several tokens can share
     * one range (a character spread over byte tokens).
     */
    TokenSpans encodeWithSpans(String text) {
        Encoding encoding = tokenizer.encode(text);
        int[] ids = toInts(encoding.getIds());
        CharSpan[] spans = encoding.getCharTokenSpans();
        // DJL reports offsets in Unicode code points; Java strings index UTF-16 units.
        int[] utf16At = codePointToUtf16(text);
        int[] starts = new int[ids.length];
        int[] ends = new int[ids.length];
        int previousEnd = 0;
        for (int i = 0; i < ids.length; i++) {
            CharSpan span = i < spans.length ? spans[i] : null;
            if (span == null) {
                starts[i] = previousEnd;
                ends[i] = previousEnd;
            } else {
                starts[i] = utf16At[Math.min(span.getStart(), utf16At.length - 1)];
                ends[i] = utf16At[Math.min(span.getEnd(), utf16At.length - 1)];
            }
            previousEnd = ends[i];
        }
        return new TokenSpans(ids, starts, ends);
    }

    /** Text of {@code ids} with special tokens left out (what a user should see). */
    public String decode(int[] ids) {
        return decode(ids, true);
    }

    public String decode(int[] ids, boolean skipSpecialTokens) {
        return tokenizer.decode(toLongs(ids), skipSpecialTokens);
    }

    /** Id of a token string (special tokens such as {@code <|im_end|>} included), if the vocabulary has it. */
    public OptionalInt tokenId(String token) {
        Integer id = tokenIds.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** A fresh incremental decoder for one generation (special tokens skipped). */
    public TokenTextStream stream() {
        return new TokenTextStream(this, true);
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    /** Ids with the UTF-16 start and end of each token in the encoded text. */
    record TokenSpans(int[] ids, int[] starts, int[] ends) {}

    private static int[] codePointToUtf16(String text) {
        int codePoints = text.codePointCount(0, text.length());
        int[] at = new int[codePoints + 1];
        int utf16 = 0;
        for (int cp = 0; cp < codePoints; cp++) {
            at[cp] = utf16;
            utf16 += Character.charCount(text.codePointAt(utf16));
        }
        at[codePoints] = utf16;
        return at;
    }

    private static int[] toInts(long[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    private static long[] toLongs(int[] ids) {
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i];
        }
        return out;
    }
}
