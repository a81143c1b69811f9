package dev.nbce.gateway.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class GenerationResultTest {
    private static final List<WindowSource> TWO_WINDOWS = List.of(new WindowSource(0, 0, 120), new WindowSource(1, 40, 95));

    @Test
    void toJsonHasTheDesignedShape() throws Exception {
        GenerationResult result = new GenerationResult("Paris", new int[] {42, 7}, new int[] {1, -1}, FinishReason.EOS,
                new Usage(new int[] {10, 30, 31}, 71, 2), TWO_WINDOWS);
        String expected = "{\"text\":\"Paris\",\"token_ids\":[42,7],\"selected_windows\":[1,-1],\"finish_reason\":\"eos\","
                + "\"usage\":{\"prompt_tokens_per_row\":[10,30,31],\"prompt_tokens\":71,\"generated_tokens\":2},\"windows\":2,"
                + "\"window_sources\":[{\"context\":0,\"start\":0,\"end\":120},{\"context\":1,\"start\":40,\"end\":95}]}";
        assertEquals(Json.MAPPER.readTree(expected), result.toJson());
        assertEquals(expected, Json.MAPPER.writeValueAsString(result.toJson()), "field order as designed");
    }

    @Test
    void everyFinishReasonIsWrittenByItsWireName() {
        for (FinishReason reason : FinishReason.values()) {
            GenerationResult result = new GenerationResult("", new int[0], new int[0], reason, new Usage(new int[] {1}, 1, 0),
                    List.of());
            assertEquals(reason.wireName(), result.toJson().get("finish_reason").asText());
            assertEquals(reason.name().toLowerCase(), reason.wireName());
        }
    }

    @Test
    void resultsAreValidatedAndCompareByValue() {
        Usage usage = new Usage(new int[] {1}, 1, 0);
        assertThrows(IllegalArgumentException.class,
                () -> new GenerationResult("", new int[0], new int[0], null, usage, List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> new GenerationResult("", new int[1], new int[0], FinishReason.LENGTH, usage, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new WindowSource(0, 5, 5));
        assertThrows(IllegalArgumentException.class, () -> new WindowSource(-1, 0, 5));
        assertEquals(new GenerationResult("a", new int[] {1}, new int[] {0}, FinishReason.STOP, usage, TWO_WINDOWS),
                new GenerationResult("a", new int[] {1}, new int[] {0}, FinishReason.STOP, new Usage(new int[] {1}, 1, 0),
                        List.copyOf(TWO_WINDOWS)));
        assertNotEquals(new GenerationResult("a", new int[] {1}, new int[] {0}, FinishReason.STOP, usage, TWO_WINDOWS),
                new GenerationResult("a", new int[] {1}, new int[] {0}, FinishReason.STOP, usage,
                        List.of(new WindowSource(0, 0, 120), new WindowSource(1, 40, 96))));
    }
}
