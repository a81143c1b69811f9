package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.gateway.request.GenerationResult;
import dev.nbce.gateway.service.GatewayLimits;
import dev.nbce.gateway.session.SessionListener;
import dev.nbce.gateway.session.TokenEvent;
import dev.nbce.gateway.speculation.Speculation;
import dev.nbce.launcher.local.LocalRuntime;
import dev.nbce.worker.model.DeviceSpec;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Speculative decoding keeps greedy generations exact (docs/speculative-decoding.md): on every reference case of
 * every fixture model, in one engine and (tiny-llama) over three, the ids and windows with drafts equal the
 * reference's and those of the same runtime with speculation off. The fixture models are random, so prompt lookup
 * rarely guesses right; the drafts here come from an oracle that knows the reference answer and spoils every fourth
 * token, so that drafts are accepted whole, cut short at every position, and rolled back, and the suite checks that
 * they were.
 */
public class SpeculativeGenerationTest {
    /** The reference answer of the case being generated, for the oracle. */
    private static final AtomicReference<int[]> EXPECTED = new AtomicReference<>();
    /** Drafts of up to 4 tokens whatever the rows, so every step speculates. */
    private static final Speculation ORACLE = new Speculation(4, 1_000, windows -> SpeculativeGenerationTest::oracle);

    /** The reference continuation of the answer, with each token at an answer position of 3 mod 4 spoiled. */
    private static int[] oracle(int[] answer, int window, int max) {
        int[] expected = EXPECTED.get();
        int from = answer.length;
        int[] draft = java.util.Arrays.copyOfRange(expected, Math.min(from, expected.length),
                Math.min(expected.length, from + max));
        for (int i = 0; i < draft.length; i++) {
            if ((from + i) % 4 == 3) {
                draft[i] = draft[i] == 1 ? 2 : 1;
            }
        }
        return draft;
    }

    @Test
    void draftsKeepEveryReferenceGenerationExactAndSaveRoundTrips() throws Exception {
        Counts counts = new Counts();
        for (String model : List.of("tiny-llama", "tiny-llama3", "tiny-qwen3", "tiny-mistral")) {
            List<JsonNode> cases = Fixtures.nbceCases(model);
            for (int engines : model.equals("tiny-llama") ? new int[] {1, 3} : new int[] {1}) {
                try (LocalRuntime off = runtime(model, engines, Speculation.OFF);
                     LocalRuntime on = runtime(model, engines, ORACLE)) {
                    for (int i = 0; i < cases.size(); i++) {
                        JsonNode c = cases.get(i);
                        String label = model + " case " + i + " on " + engines + " engine(s)";
                        GenerationResult plain = off.generate(ReferenceGenerationTest.requestOf(c), SessionListener.NONE);
                        EXPECTED.set(Fixtures.ints(c.get("generated_ids")));
                        counts.requests.incrementAndGet();
                        GenerationResult drafted = on.generate(ReferenceGenerationTest.requestOf(c), counts);
                        assertArrayEquals(Fixtures.ints(c.get("generated_ids")), drafted.tokenIds(), label + ": ids");
                        assertArrayEquals(ReferenceGenerationTest.expectedWindows(c), drafted.selectedWindows(),
                                label + ": windows");
                        assertArrayEquals(plain.tokenIds(), drafted.tokenIds(), label + ": ids against speculation off");
                        assertEquals(plain.finishReason(), drafted.finishReason(), label + ": finish reason");
                        counts.tokens.addAndGet(drafted.tokenIds().length);
                    }
                }
            }
        }
        System.out.println("speculation over the reference cases: " + counts);
        assertTrue(counts.accepted.get() > 0, "no draft token was ever accepted: " + counts);
        assertTrue(counts.accepted.get() < counts.drafted.get(), "no draft token was ever rejected: " + counts);
        // Each decode round trip yields one token plus its accepted drafts.
        assertTrue(counts.roundTrips.get() < counts.tokens.get() - counts.requests.get(), counts.toString());
    }

    private static LocalRuntime runtime(String model, int engines, Speculation speculation) {
        return new LocalRuntime(Fixtures.model(model), DeviceSpec.cpu(), engines,
                GatewayLimits.DEFAULT.withSpeculation(speculation));
    }

    /** Drafts verified and accepted, decode round trips and tokens over the whole suite. */
    private static final class Counts implements SessionListener {
        final AtomicInteger drafted = new AtomicInteger();
        final AtomicInteger accepted = new AtomicInteger();
        final AtomicInteger roundTrips = new AtomicInteger();
        final AtomicInteger tokens = new AtomicInteger();
        final AtomicInteger requests = new AtomicInteger();

        @Override
        public void onToken(TokenEvent token) {}

        @Override
        public void onDecode(int rows) {
            roundTrips.incrementAndGet();
        }

        @Override
        public void onDraftVerified(int draftedTokens, int acceptedTokens) {
            drafted.addAndGet(draftedTokens);
            accepted.addAndGet(acceptedTokens);
        }

        @Override
        public String toString() {
            return "drafted " + drafted + ", accepted " + accepted + ", round trips " + roundTrips + ", tokens " + tokens
                    + ", requests " + requests;
        }
    }
}
