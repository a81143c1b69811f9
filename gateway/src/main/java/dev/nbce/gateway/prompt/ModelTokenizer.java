package dev.nbce.gateway.prompt;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.OptionalInt;

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

    private static final ObjectMapper JSON = new ObjectMapper();

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
        Map<String, Integer> ids = readTokenIds(file);
        HuggingFaceTokenizer native_ = HuggingFaceTokenizer.builder()
                .optTokenizerPath(file)
                .optAddSpecialTokens(false)
                .optTruncation(false)
                .optPadding(false)
                .build();
        return new ModelTokenizer(native_, ids);
    }

    /** Token ids of {@code text}, exactly as Hugging Face's fast tokenizer gives them. */
    public int[] encode(String text) {
        return toInts(tokenizer.encode(text).getIds());
    }

    /** Number of tokens of {@code text}. */
    public int count(String text) {
        return tokenizer.encode(text).getIds().length;
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

    /** Added tokens first (they win over a vocabulary entry with the same text), then the model vocabulary. */
    private static Map<String, Integer> readTokenIds(Path file) throws IOException {
        JsonNode root;
        try (InputStream in = Files.newInputStream(file)) {
            root = JSON.readTree(in);
        }
        Map<String, Integer> ids = new HashMap<>();
        JsonNode vocab = root.path("model").path("vocab");
        if (vocab.isObject()) { // BPE, WordPiece, WordLevel: {"token": id}
            for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                ids.put(entry.getKey(), entry.getValue().asInt());
            }
        } else if (vocab.isArray()) { // Unigram: [["piece", score], ...], the id is the position
            for (int i = 0; i < vocab.size(); i++) {
                ids.put(vocab.get(i).path(0).asText(), i);
            }
        }
        for (JsonNode added : root.path("added_tokens")) {
            ids.put(added.path("content").asText(), added.path("id").asInt());
        }
        return Map.copyOf(ids);
    }

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
