package dev.nbce.common.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nbce.common.error.InvalidRequestException;
import org.junit.jupiter.api.Test;

class StepParamsTest {
    @Test
    void nbceParamsValidateThemselves() {
        assertEquals(new NbceParams(0.25, 0.1, Pooling.MIN_ENTROPY), NbceParams.DEFAULT);
        assertThrows(InvalidRequestException.class, () -> new NbceParams(Double.NaN, 0.1, Pooling.AVERAGE));
        assertThrows(InvalidRequestException.class, () -> new NbceParams(0.25, Double.POSITIVE_INFINITY, Pooling.AVERAGE));
        assertThrows(InvalidRequestException.class, () -> new NbceParams(0.25, 0.1, null));
        assertEquals(Pooling.AVERAGE, Pooling.fromWireName("average"));
        assertEquals("min_entropy", Pooling.MIN_ENTROPY.wireName());
    }

    @Test
    void topPIsCheckedHereForNativeAndOpenAiRequestsAlike() {
        for (double bad : new double[] {0, -0.5, 1.01, Double.NaN, Double.POSITIVE_INFINITY}) {
            InvalidRequestException e = assertThrows(InvalidRequestException.class,
                    () -> new StepParams(bad, NbceParams.DEFAULT));
            assertEquals("top_p", e.field());
            assertEquals("top_p must be within (0, 1], got " + bad, e.getMessage());
        }
        assertEquals(1.0, new StepParams(1, NbceParams.DEFAULT).topP());
    }
}
