package dev.nbce.gateway.prompt;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * Load time of the real tokenizers and the time to encode about 1 MB of text (the reference file
 * repeated: prose, JSON, CJK, emoji). Not a test: timings on shared CI cores would only make it flaky.
 * {@code java -cp "gateway/target/classes:gateway/target/test-classes:gateway/target/lib/*:common/target/test-classes"
 * dev.nbce.gateway.prompt.TokenizerTiming}
 */
public final class TokenizerTiming {

    public static void main(String[] args) throws IOException {
        JsonNode reference = RealTokenizers.reference();
        String sample = java.nio.file.Files.readString(
                dev.nbce.common.testing.Fixtures.file("tokenizers/reference.json"));
        String text = sample.repeat(1_000_000 / sample.length() + 1).substring(0, 1_000_000);
        for (Iterator<Map.Entry<String, JsonNode>> it = reference.get("models").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> model = it.next();
            Path dir = RealTokenizers.modelDirectory(model.getValue());
            long start = System.nanoTime();
            try (ModelTokenizer tokenizer = ModelTokenizer.load(dir)) {
                long loaded = System.nanoTime();
                int tokens = tokenizer.encode(text).length;
                long encoded = System.nanoTime();
                System.out.printf("%-9s tokenizer.json %5.1f MB: load %5d ms; encode %d chars -> %d tokens %5d ms%n",
                        model.getKey(), dir.resolve(ModelTokenizer.TOKENIZER_FILE).toFile().length() / 1e6,
                        (loaded - start) / 1_000_000, text.length(), tokens, (encoded - loaded) / 1_000_000);
            }
        }
    }
}
