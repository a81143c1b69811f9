package dev.nbce.worker.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;
import dev.nbce.common.step.NbceParams;
import dev.nbce.common.step.StepParams;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.common.wire.OpenRows;
import dev.nbce.common.wire.RowPrompt;
import dev.nbce.worker.decoder.LlamaDecoder;
import dev.nbce.worker.model.DeviceSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A NaN in the model's output fails the request with a clear internal error instead of changing the answer. */
class NonFiniteLogitsTest {
    private static final int POISONED_TOKEN = 5;

    @Test
    void checkFindsNaNAndInfinities() {
        float[] row = {0.5f, -3f, 2f, 7f};
        assertEquals(-1, LogitsCheck.firstNonFinite(row));
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            float[] copy = row.clone();
            copy[2] = bad;
            assertEquals(2, LogitsCheck.firstNonFinite(copy));
        }
        assertEquals(null, LogitsCheck.describe(new float[][] {row}, new int[] {0}));
        String d = LogitsCheck.describe(new float[][] {row, {1f, Float.NaN}}, new int[] {0, 3});
        assertTrue(d.contains("NaN") && d.contains("token 1") && d.contains("row 3"), d);
    }

    /** tiny-llama with one lm_head weight set to NaN: token 5's logit is NaN at every position. */
    @Test
    void engineFailsTheRequestNamingTheWorkerAndFreesItsRows(@TempDir Path dir) throws Exception {
        Path model = poisonedCopy(Fixtures.tinyLlama(), dir);
        try (LlamaDecoder decoder = LlamaDecoder.load(model, DeviceSpec.cpu());
             RowEngine engine = new RowEngine(decoder, new EngineLimits(8, 4096, 1L << 26, 1_000_000L),
                     (rows, tokens, nanos) -> { }, "worker w-test (model poisoned)")) {
            List<RowPrompt> rows = List.of(new RowPrompt(0, new int[] {1, 20, 30, 40}), new RowPrompt(1, new int[] {1, 50}));
            ExecutionException e = assertThrows(ExecutionException.class, () -> engine.open(
                    new OpenRows("q", new StepParams(0.95, NbceParams.DEFAULT), -1, 0, rows)).get(60, TimeUnit.SECONDS));
            NbceException cause = (NbceException) e.getCause();
            assertEquals(ErrorCode.INTERNAL, cause.code());
            assertTrue(cause.getMessage().contains("worker w-test (model poisoned)")
                    && cause.getMessage().contains("NaN") && cause.getMessage().contains("token " + POISONED_TOKEN)
                    && cause.getMessage().contains("request q"), cause.getMessage());
            for (int i = 0; i < 200 && engine.activeRows() > 0; i++) {
                Thread.sleep(10);
            }
            assertEquals(0, engine.activeRows(), "the failed request's rows are freed");
        }
    }

    private static Path poisonedCopy(Path source, Path dir) throws IOException {
        for (String f : List.of("config.json", "generation_config.json", "model.safetensors")) {
            Files.copy(source.resolve(f), dir.resolve(f));
        }
        Path weights = dir.resolve("model.safetensors");
        try (FileChannel ch = FileChannel.open(weights, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(len, 0);
            int headerLength = (int) len.flip().getLong();
            ByteBuffer header = ByteBuffer.allocate(headerLength);
            ch.read(header, 8);
            JsonNode tensor = new ObjectMapper().readTree(new String(header.array(), StandardCharsets.UTF_8)).get("lm_head.weight");
            assertEquals("F32", tensor.get("dtype").asText());
            long hidden = tensor.get("shape").get(1).asLong();
            long at = 8 + headerLength + tensor.get("data_offsets").get(0).asLong() + POISONED_TOKEN * hidden * Float.BYTES;
            ByteBuffer nan = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, Float.NaN);
            ch.write(nan, at);
        }
        return dir;
    }
}
