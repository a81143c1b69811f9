package dev.nbce.worker.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.common.step.NbceParams;
import dev.nbce.common.step.StepParams;
import dev.nbce.common.wire.Advance;
import dev.nbce.common.wire.OpenRows;
import dev.nbce.common.wire.RowPrompt;
import dev.nbce.common.wire.ShardStep;
import dev.nbce.worker.decoder.DecoderOptions;
import dev.nbce.worker.decoder.LlamaDecoder;
import dev.nbce.worker.model.DeviceSpec;
import dev.nbce.worker.model.TestModels;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Chunked prefill interleaved with decode: while a newcomer's long prompt is being prefilled, a
 * running request keeps getting its steps answered (each waits for one chunk, not the whole prompt);
 * with no stream running, a newcomer is prefilled at full speed.
 */
class InterleavedPrefillTest {
    private static final StepParams PARAMS = new StepParams(0.95, NbceParams.DEFAULT);

    private static int[] prompt(int length, int salt) {
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) {
            ids[i] = 3 + (i * 7 + salt) % 500;
        }
        return ids;
    }

    @Test
    void aRunningStreamIsAnsweredWhileALongPromptPrefills() throws Exception {
        DecoderOptions options = new DecoderOptions(DecoderOptions.Precision.AUTO, 8);
        // The engine waits up to 20 ms for a running request's next step before it prefills: time enough for
        // this test's thread to send it even on a loaded machine, so the count below does not depend on speed.
        try (LlamaDecoder decoder = LlamaDecoder.load(TestModels.embeddedDemo(), DeviceSpec.cpu(), options);
             RowEngine engine = new RowEngine(decoder, new EngineLimits(8, 4096, 1L << 26, 20_000_000L),
                     (rows, tokens, nanos) -> { }, "interleave test")) {
            ShardStep first = engine.open(new OpenRows("stream", PARAMS, -1, 0,
                    List.of(new RowPrompt(0, prompt(12, 1))))).get(60, TimeUnit.SECONDS);
            assertEquals(0, first.step());

            // 2 rows x 240 tokens at 8 tokens a loop: 60 loops of prefill.
            CompletableFuture<ShardStep> longOpen = engine.open(new OpenRows("long", PARAMS, -1, 0,
                    List.of(new RowPrompt(0, prompt(240, 2)), new RowPrompt(1, prompt(240, 3)))));
            int answered = 0;
            while (!longOpen.isDone() && answered < 200) {
                ShardStep s = engine.advance(new Advance("stream", answered + 1, 5 + answered % 50, 0)).get(60, TimeUnit.SECONDS);
                answered++;
                assertEquals(answered, s.step());
            }
            ShardStep longReport = longOpen.get(120, TimeUnit.SECONDS);
            assertEquals(0, longReport.step());
            assertEquals(2, longReport.report().rows().length);
            // A prefill run to completion in one loop would leave the stream at most 2 steps (one before, one
            // after); one chunk per loop answers a step in nearly every one of the 60 loops.
            assertTrue(answered >= 5, "the stream kept getting steps while the long prompt prefilled: " + answered);
            assertEquals(3, engine.activeRows());
            engine.close("stream");
            engine.close("long");
        }
    }

    @Test
    void aRequestAloneOnTheEngineIsPrefilledInOneForwardNotChunkByChunk() throws Exception {
        DecoderOptions options = new DecoderOptions(DecoderOptions.Precision.AUTO, 32);
        AtomicInteger forwards = new AtomicInteger();
        try (LlamaDecoder decoder = LlamaDecoder.load(TestModels.embeddedDemo(), DeviceSpec.cpu(), options);
             RowEngine engine = new RowEngine(decoder, new EngineLimits(8, 4096, 1L << 26, 20_000_000L),
                     (rows, tokens, nanos) -> forwards.incrementAndGet(), "alone test")) {
            // 2 rows x 24 tokens, more than one 32-token chunk in all but within a chunk each: one loop, one
            // forward; a budget of one chunk per loop would take two.
            ShardStep report = engine.open(new OpenRows("alone", PARAMS, -1, 0,
                    List.of(new RowPrompt(0, prompt(24, 2)), new RowPrompt(1, prompt(24, 3))))).get(60, TimeUnit.SECONDS);
            assertEquals(2, report.report().rows().length);
            assertEquals(1, forwards.get(), "the engine's prefill loops for a request with no stream waiting");
            engine.close("alone");
        }
    }
}
