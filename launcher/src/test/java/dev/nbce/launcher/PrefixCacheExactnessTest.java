package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.gateway.request.GenerationRequest;
import dev.nbce.gateway.request.GenerationResult;
import dev.nbce.gateway.request.RequestMessage;
import dev.nbce.gateway.request.Role;
import dev.nbce.common.testing.Slow;
import dev.nbce.gateway.service.GatewayLimits;
import dev.nbce.gateway.session.SessionListener;
import dev.nbce.launcher.local.LocalRuntime;
import dev.nbce.worker.decoder.DecoderOptions;
import dev.nbce.worker.decoder.PrefixCache;
import dev.nbce.worker.decoder.PrefixCacheOptions;
import dev.nbce.worker.engine.EngineLimits;
import dev.nbce.worker.engine.KvBudget;
import dev.nbce.worker.engine.KvCacheSize;
import dev.nbce.worker.engine.RowEngine;
import dev.nbce.worker.model.DeviceSpec;
import dev.nbce.worker.model.ModelConfig;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * With the prefix cache on, every reference generation of every fixture model, a follow-up turn after
 * it and a new question under a context-first template give the ids and windows they give with the
 * cache off; also when the budget holds only a few blocks, so that blocks are evicted while the
 * request that stored them is still running; and when the cache shares a KV budget barely larger than
 * a request's rows, so that each new request evicts blocks to be admitted.
 */
@Slow
class PrefixCacheExactnessTest {
    private static final String CONTEXT_FIRST = "{context}\n\n{question}";
    /** More than any request here reserves (rows x (prompt + 12 answer tokens)), far less than all their blocks. */
    private static final int SHARED_KV_TOKENS = 768;

    private static LocalRuntime runtime(String model, PrefixCacheOptions cache) {
        return new LocalRuntime(Fixtures.model(model), DeviceSpec.cpu(), DecoderOptions.DEFAULT, cache, 1,
                GatewayLimits.DEFAULT);
    }

    /** The cache without a cap of its own, inside a KV budget of {@value #SHARED_KV_TOKENS} tokens. */
    private static LocalRuntime sharedBudget(String model, PrefixCacheOptions cache) {
        long perToken = KvBudget.bytesPerToken(ModelConfig.fromDirectory(Fixtures.model(model)), 4);
        return new LocalRuntime(Fixtures.model(model), DeviceSpec.cpu(), DecoderOptions.DEFAULT, cache, 1,
                GatewayLimits.DEFAULT, EngineLimits.DEFAULT.withKvCache(
                        new KvCacheSize.Bytes(SHARED_KV_TOKENS * perToken, "test")));
    }

    private static GenerationRequest withQuestion(GenerationRequest r, String question, String template) {
        return new GenerationRequest(r.contexts(), r.document(), question, template, r.maxNewTokens(), r.temperature(),
                r.topP(), r.topK(), r.seed(), r.stop(), r.nbce(), false);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama", "tiny-llama3", "tiny-qwen3", "tiny-mistral"})
    void cachedPrefixesChangeNoIdAndNoWindow(String model) throws Exception {
        List<JsonNode> cases = Fixtures.nbceCases(model);
        PrefixCacheOptions on = PrefixCacheOptions.DEFAULT.withBlockTokens(8);
        try (LocalRuntime off = runtime(model, PrefixCacheOptions.OFF);
             LocalRuntime cached = runtime(model, on);
             LocalRuntime tight = runtime(model, on.withBudgetBytes(4 * blockBytes(model, on)));
             LocalRuntime shared = sharedBudget(model, on)) {
            List<LocalRuntime> runtimes = List.of(off, cached, tight, shared);
            for (int i = 0; i < cases.size(); i++) {
                JsonNode c = cases.get(i);
                GenerationRequest first = ReferenceGenerationTest.requestOf(c);
                String followUp = "And why? (" + i + ")";
                // Another case's question: as short as the fixtures' own. A longer one would push every window out of
                // tiny-mistral's receptive field (2 layers x window 16), so that all context rows tie exactly and
                // rounding alone picks the window, with or without the cache.
                String again = cases.get((i + 1) % cases.size()).get("question").asText();
                GenerationResult[] firstTurn = new GenerationResult[runtimes.size()];
                for (int r = 0; r < runtimes.size(); r++) {
                    firstTurn[r] = runtimes.get(r).generate(first, SessionListener.NONE);
                    String where = model + " case " + i + " runtime " + r;
                    assertArrayEquals(Fixtures.ints(c.get("generated_ids")), firstTurn[r].tokenIds(), where);
                    assertArrayEquals(ReferenceGenerationTest.expectedWindows(c), firstTurn[r].selectedWindows(), where);

                }
                // Every runtime answered the first turn with the reference ids, so the conversation is the same for all.
                GenerationRequest nextTurn = withQuestion(first, followUp, first.userTemplate()).asTurnAfter(List.of(
                        RequestMessage.of(Role.USER, first.question()), RequestMessage.of(Role.ASSISTANT, firstTurn[0].text())));
                // tiny-mistral's follow-up is compared by ids alone: the first answer (up to 12 tokens) and the new turn
                // put every window beyond its receptive field from the first step on, so all rows tie (entropies equal
                // to 1e-6) and rounding alone picks the window; K/V restored from decode steps round differently from
                // a fresh prefill's.
                List<GenerationRequest> later = List.of(nextTurn,
                        withQuestion(first, first.question(), CONTEXT_FIRST), withQuestion(first, again, CONTEXT_FIRST));
                for (GenerationRequest request : later) {
                    GenerationResult expected = off.generate(request, SessionListener.NONE);
                    for (LocalRuntime runtime : List.of(cached, tight, shared)) {
                        GenerationResult got = runtime.generate(request, SessionListener.NONE);
                        String where = model + " case " + i + " '" + request.conversation().get(request.conversation().size() - 1).text()
                                + "' " + request.userTemplate();
                        assertArrayEquals(expected.tokenIds(), got.tokenIds(), where + " ids");
                        if (!(model.equals("tiny-mistral") && request == nextTurn)) {
                            assertArrayEquals(expected.selectedWindows(), got.selectedWindows(), where + " windows");
                        }
                    }
                }
            }
            PrefixCache full = cached.engines().get(0).prefixCache();
            PrefixCache small = tight.engines().get(0).prefixCache();
            assertTrue(full.hitTokens() > 0, "follow-ups reuse cached prefixes");
            assertTrue(small.evictions() > 0, "the small budget evicted blocks");
            assertTrue(small.bytes() <= small.options().budgetBytes());
            RowEngine sharing = shared.engines().get(0);
            assertTrue(sharing.blocksEvictedForRows() > 0, "requests evicted cached blocks to be admitted");
            for (int i = 0; i < 500 && sharing.freeKvTokens() != SHARED_KV_TOKENS; i++) {
                Thread.sleep(10); // the last request's rows are closed after its result
            }
            assertEquals(SHARED_KV_TOKENS, sharing.freeKvTokens(), "every reservation was returned");
            assertTrue(sharing.prefixCache().bytes() <= sharing.kvBudget().budgetBytes());
            assertTrue(off.engines().get(0).prefixCache().hitTokens() == 0);
        }
    }

    private static long blockBytes(String model, PrefixCacheOptions options) {
        try (LocalRuntime probe = runtime(model, options)) {
            return probe.engines().get(0).prefixCache().blockBytes();
        }
    }
}
