package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.constraint.CompilerPool;
import dev.nbce.common.nbce.TokenLogprob;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.gateway.request.FinishReason;
import dev.nbce.gateway.request.GenerationRequest;
import dev.nbce.gateway.request.GenerationResult;
import dev.nbce.gateway.request.OutputOptions;
import dev.nbce.gateway.service.GatewayLimits;
import dev.nbce.gateway.session.SessionListener;
import dev.nbce.launcher.local.LocalRuntime;
import dev.nbce.structured.CompileLimits;
import dev.nbce.structured.ConstraintCompiler;
import dev.nbce.structured.ConstraintSpec;
import dev.nbce.structured.ConstraintState;
import dev.nbce.structured.TokenConstraint;
import dev.nbce.structured.vocab.TokenBytes;
import dev.nbce.worker.model.DeviceSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Constraints through the whole algorithm in one process (docs/structured-output.md): one that allows every text
 * token changes no id or window of any reference generation (up to a special token that is not EOS, which has no
 * text and so no constraint allows: tiny-llama3's third case emits its {@code <|endoftext|>} mid-answer); a real
 * one gives the same ids on one engine and on three, an answer it accepts, and log-probabilities of the constrained
 * final distribution.
 *
 * <p>The constraint that allows every text token is a stand-in compiled by the test: the engine's {@code [\s\S]*}
 * allows every valid UTF-8 text, and the fixtures' random weights write invalid UTF-8 from the first token.
 */
class ConstrainedGenerationTest {

    /** Compiled by {@link #everyTextToken} (not by the engine): the rows' masks are computed and applied every step. */
    private static final ConstraintSpec ANY_TEXT = new ConstraintSpec.Regex("[\\s\\S]*");
    private static final ConstraintSpec.Choice CHOICE = new ConstraintSpec.Choice(List.of("yes", "no", "not stated in the text"));

    static Stream<Arguments> cases() throws Exception {
        List<Arguments> cases = new ArrayList<>();
        for (String model : List.of("tiny-llama", "tiny-llama3", "tiny-qwen3", "tiny-mistral")) {
            List<JsonNode> nbce = Fixtures.nbceCases(model);
            for (int engines : model.equals("tiny-llama") ? new int[] {1, 3} : new int[] {1}) {
                cases.add(Arguments.of(model, engines, nbce));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} on {1} engine(s)")
    @MethodSource("cases")
    void aConstraintThatAllowsEveryTextChangesNoIdOrWindow(String model, int engines, List<JsonNode> nbce) throws Exception {
        TokenBytes vocab = TokenBytes.load(Fixtures.model(model).resolve("tokenizer.json"));
        try (LocalRuntime runtime = new LocalRuntime(Fixtures.model(model), DeviceSpec.cpu(), engines, GatewayLimits.DEFAULT,
                spec -> everyTextToken(vocab))) {
            for (JsonNode c : nbce) {
                GenerationRequest request = ReferenceGenerationTest.requestOf(c).withConstraint("structured_outputs.regex", ANY_TEXT);
                GenerationResult result = runtime.generate(request, SessionListener.NONE);
                int[] ids = Fixtures.ints(c.get("generated_ids"));
                int[] windows = ReferenceGenerationTest.expectedWindows(c);
                int special = firstSpecial(ids, runtime.preparer().model().eosTokenIds(), model);
                assertTrue(special < 0 || !model.equals("tiny-llama"), "tiny-llama's answers are all text");
                if (special >= 0) {
                    // Equal up to the special token, which the constraint refuses: the answer goes on otherwise there.
                    assertArrayEquals(Arrays.copyOf(ids, special), Arrays.copyOf(result.tokenIds(), special), "ids before it");
                    assertArrayEquals(Arrays.copyOf(windows, special + 1), Arrays.copyOf(result.selectedWindows(), special + 1),
                            "windows up to it");
                    assertNotEquals(ids[special], result.tokenIds()[special], "the special token is refused");
                    continue;
                }
                assertArrayEquals(ids, result.tokenIds(), "generated ids");
                assertArrayEquals(windows, result.selectedWindows(), "selected windows");
            }
        }
    }

    /** Allows every token with text, at every step, and may end anywhere. */
    private static CompilerPool.Compiled everyTextToken(TokenBytes vocab) {
        ConstraintState anywhere = new ConstraintState() {
            @Override
            public void fillAllowed(long[] mask) {
                Arrays.fill(mask, 0);
                for (int id = 0; id < vocab.size(); id++) {
                    if (vocab.isText(id)) {
                        mask[id >> 6] |= 1L << id;
                    }
                }
            }

            @Override
            public boolean canEnd() {
                return true;
            }

            @Override
            public boolean mustEnd() {
                return false;
            }

            @Override
            public ConstraintState advance(int tokenId) {
                return this;
            }

            @Override
            public boolean allows(int tokenId) {
                return vocab.isText(tokenId);
            }
        };
        return new CompilerPool.Compiled(new TokenConstraint() {
            @Override
            public ConstraintState start() {
                return anywhere;
            }

            @Override
            public ConstraintSpec spec() {
                return ANY_TEXT;
            }
        }, vocab.size());
    }

    /** The first generated id with no text that is not an end-of-sequence id, or -1. */
    private static int firstSpecial(int[] ids, List<Integer> eos, String model) throws Exception {
        TokenBytes vocab = TokenBytes.load(Fixtures.model(model).resolve("tokenizer.json"));
        for (int i = 0; i < ids.length; i++) {
            if (!vocab.isText(ids[i]) && !eos.contains(ids[i])) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void aConstrainedAnswerIsTheSameOnOneAndThreeEnginesAndAcceptedWithItsConstrainedLogprobs() throws Exception {
        List<int[]> answers = new ArrayList<>();
        for (JsonNode c : Fixtures.nbceCases("tiny-llama")) {
            GenerationRequest request = withLogprobs(ReferenceGenerationTest.requestOf(c), 5).withMaxNewTokens(40, false)
                    .withConstraint("guided_choice", CHOICE);
            int[] ids = null;
            for (int engines : new int[] {1, 3}) {
                try (LocalRuntime runtime = new LocalRuntime(Fixtures.tinyLlama(), DeviceSpec.cpu(), engines, GatewayLimits.DEFAULT)) {
                    GenerationResult result = runtime.generate(request, SessionListener.NONE);
                    if (ids == null) {
                        ids = result.tokenIds();
                        assertAccepted(result, runtime.preparer().model().eosTokenIds());
                        assertTrue(CHOICE.options().contains(result.text()),
                                "the answer is one of the choices: " + result.text());
                    } else {
                        assertArrayEquals(ids, result.tokenIds(), "the same ids on one engine and on three");
                    }
                }
            }
            answers.add(ids);
        }
        assertTrue(answers.size() > 1);
    }

    /** Each chosen token and each alternative with a probability was allowed where it came; EOS only where it may end. */
    private static void assertAccepted(GenerationResult result, List<Integer> eos) throws Exception {
        ConstraintState state = new ConstraintCompiler(TokenBytes.load(Fixtures.tinyLlama().resolve("tokenizer.json")),
                CompileLimits.DEFAULT).compile(CHOICE).start();
        int[] ids = result.tokenIds();
        assertEquals(FinishReason.EOS, result.finishReason(), "a choice ends by itself");
        for (int i = 0; i < ids.length; i++) {
            TokenLogprob lp = result.logprobs().size() > i ? result.logprobs().get(i) : null;
            if (lp != null) {
                assertEquals(5, lp.topIds().length, "exactly top_logprobs alternatives");
                double mass = 0;
                for (int k = 0; k < lp.topIds().length; k++) {
                    if (lp.topLogprobs()[k] > Double.NEGATIVE_INFINITY) {
                        int alt = lp.topIds()[k];
                        assertTrue(state.allows(alt) || (eos.contains(alt) && state.canEnd()), "alternative " + alt
                                + " at step " + i + " is allowed there");
                        mass += Math.exp(lp.topLogprobs()[k]);
                    }
                }
                assertTrue(mass <= 1 + 1e-9, "the constrained distribution sums to at most 1: " + mass);
            }
            if (eos.contains(ids[i])) {
                assertTrue(state.canEnd(), "EOS only where the constraint may end");
                assertEquals(ids.length - 1, i);
            } else {
                state = state.advance(ids[i]);
            }
        }
    }

    private static GenerationRequest withLogprobs(GenerationRequest r, int top) {
        return new GenerationRequest(r.contexts(), r.document(), r.question(), r.messages(), r.prompt(), r.userTemplate(),
                r.maxNewTokens(), r.fillWindow(), r.temperature(), r.topP(), r.topK(), r.seed(), r.stop(), r.nbce(), r.stream(),
                new OutputOptions(0, 0, top), r.windowTokens(), Map.of(), null, null);
    }
}
