package dev.nbce.worker.decoder;

import static dev.nbce.worker.decoder.Logits.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nbce.worker.model.Architecture;
import dev.nbce.worker.model.DeviceSpec;
import dev.nbce.worker.model.TestModels;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The embedded nbce-demo model: BF16 weights, tied head, Qwen2 biases, classic config layout. */
class DemoModelTest {
    private static final int EOS = 2;
    private static LlamaDecoder decoder;

    @BeforeAll
    static void load() {
        decoder = LlamaDecoder.load(TestModels.embeddedDemo(), DeviceSpec.cpu());
    }

    @AfterAll
    static void close() {
        decoder.close();
    }

    @Test
    void loadsTheQwen2Configuration() {
        assertEquals(Architecture.QWEN2, decoder.config().architecture());
        assertTrue(decoder.config().tieWordEmbeddings() && decoder.config().attentionBias());
    }

    /**
     * Each reference NBCE case has one window holding the fact asked about; alone with that window
     * the trained model answers it, and it is more certain there than without context.
     */
    @Test
    void answersFromTheRightWindow() throws IOException {
        Reference reference = Reference.load();
        Map<Integer, String> vocab = vocabulary();
        String[][] factRowAndAnswer = {{"1", "rabbit"}, {"3", "3457"}, {"1", "5589"}, {"3", "chemist"}};
        for (int c = 0; c < factRowAndAnswer.length; c++) {
            List<int[]> rowIds = reference.nbce.get(c).rowIds();
            int factRow = Integer.parseInt(factRowAndAnswer[c][0]);
            try (RowCache row = decoder.newRow(); RowCache noContext = decoder.newRow()) {
                float[][] first = decoder.forward(List.of(row, noContext), List.of(rowIds.get(factRow), rowIds.get(0)));
                assertTrue(entropy(first[0]) < entropy(first[1]),
                        "the window with the fact is more certain than no context, case " + c);
                StringBuilder answer = new StringBuilder();
                float[] logits = first[0];
                for (int i = 0; i < 8; i++) {
                    int next = Logits.argmax(logits);
                    if (next == EOS) {
                        break;
                    }
                    answer.append(vocab.get(next));
                    logits = decoder.forward(List.of(row), List.of(new int[] {next}))[0];
                }
                String text = answer.toString().replace('\u0120', ' ');
                assertTrue(text.contains(factRowAndAnswer[c][1]),
                        reference.nbce.get(c).question() + " -> '" + text + "'");
            }
        }
    }

    @Test
    void batchedRowsEqualRowsAlone() {
        Reference reference = Reference.load();
        List<int[]> rowIds = reference.nbce.get(0).rowIds();
        List<RowCache> rows = new ArrayList<>();
        rowIds.forEach(ids -> rows.add(decoder.newRow()));
        try {
            float[][] batched = decoder.forward(rows, rowIds);
            List<int[]> next = new ArrayList<>();
            for (float[] logits : batched) {
                next.add(new int[] {Logits.argmax(logits)});
            }
            float[][] decoded = decoder.forward(rows, next);
            for (int i = 0; i < rowIds.size(); i++) {
                try (RowCache alone = decoder.newRow()) {
                    assertClose(decoder.forward(List.of(alone), List.of(rowIds.get(i)))[0], batched[i], "prefill row " + i);
                    assertClose(decoder.forward(List.of(alone), List.of(next.get(i)))[0], decoded[i], "decode row " + i);
                }
            }
        } finally {
            rows.forEach(RowCache::close);
        }
    }

    /**
     * Weights go from the mapped file to native memory: loading allocates on the Java heap only a
     * small fraction of the weights' F32 size (a heap copy of the tensors would exceed it).
     */
    @Test
    void loadingKeepsWeightsOffTheJavaHeap() {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
                "needs HotSpot's per-thread allocation counter");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        var c = decoder.config();
        long parameters = (long) c.vocab() * c.hidden() + (long) c.layers() * (
                (long) (c.heads() + 2 * c.kvHeads()) * c.headDim() * (c.hidden() + 1)
                        + (long) c.hidden() * c.heads() * c.headDim()
                        + 3L * c.hidden() * c.intermediate() + 2L * c.hidden()) + c.hidden();
        long f32Bytes = 4 * parameters;

        long tid = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(tid);
        LlamaDecoder.load(TestModels.embeddedDemo(), DeviceSpec.cpu()).close();
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        assertTrue(allocated < f32Bytes / 8,
                "heap allocated during load: " + allocated + " bytes; weights as F32: " + f32Bytes);
    }

    private static double entropy(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double z = 0;
        for (float v : logits) {
            z += Math.exp(v - max);
        }
        double h = 0;
        for (float v : logits) {
            double logp = v - max - Math.log(z);
            h -= Math.exp(logp) * logp;
        }
        return h;
    }

    /** id -> token string from the demo's tokenizer.json (byte-level BPE: 'Ġ' is a space). */
    private static Map<Integer, String> vocabulary() throws IOException {
        Path file = TestModels.embeddedDemo().resolve("tokenizer.json");
        JsonNode vocab = new ObjectMapper().readTree(file.toFile()).path("model").path("vocab");
        Map<Integer, String> byId = new HashMap<>();
        vocab.fields().forEachRemaining(e -> byId.put(e.getValue().asInt(), e.getKey()));
        return byId;
    }
}
