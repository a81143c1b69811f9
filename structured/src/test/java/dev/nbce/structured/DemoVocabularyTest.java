package dev.nbce.structured;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nbce.structured.vocab.TokenBytes;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The embedded demo model's small byte-level vocabulary (1,024 tokens): along random answers a constraint never
 * leaves a state where neither a token nor the end is allowed.
 */
class DemoVocabularyTest {
    @Test
    void lengthLimitedStringsAlwaysLeaveAWayOn() throws Exception {
        TokenBytes vocab = TokenBytes.load(Path.of("..", "launcher", "src", "main", "resources", "nbce-demo", "tokenizer.json"));
        ConstraintCompiler compiler = new ConstraintCompiler(vocab, CompileLimits.DEFAULT);
        TokenConstraint constraint = compiler.compile(new ConstraintSpec.JsonSchema(new ObjectMapper().readTree(
                "{\"type\":\"object\",\"properties\":{\"person\":{\"type\":\"string\",\"maxLength\":24}},\"required\":[\"person\"],"
                        + "\"additionalProperties\":false}")));
        long[] mask = new long[(vocab.size() + 63) / 64];
        Random random = new Random(3);
        for (int answer = 0; answer < 30; answer++) {
            ConstraintState state = constraint.start();
            StringBuilder text = new StringBuilder();
            String last = "";
            for (int step = 0; step < 60 && !state.mustEnd(); step++) {
                state.fillAllowed(mask);
                java.util.List<Integer> allowed = new java.util.ArrayList<>();
                for (int id = 0; id < vocab.size(); id++) {
                    if ((mask[id >>> 6] & (1L << id)) != 0) {
                        allowed.add(id);
                    }
                }
                assertTrue(!allowed.isEmpty() || state.canEnd(), "stuck after " + text + " (last token " + last + ")");
                if (allowed.isEmpty()) {
                    break;
                }
                int pick = allowed.get(random.nextInt(allowed.size()));
                last = pick + "=" + java.util.Arrays.toString(vocab.bytes(pick));
                text.append(new String(vocab.bytes(pick), java.nio.charset.StandardCharsets.UTF_8));
                state = state.advance(pick);
            }
        }
    }
}
