package dev.nbce.gateway.speculation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class DraftLengthTest {
    @Test
    void theForwardBudgetShrinksDraftsToNothingForManyRows() {
        DraftLength length = new DraftLength(new Speculation(4, 16));
        assertEquals(4, length.next(1, 100));
        assertEquals(3, length.next(4, 100), "4 rows x (1 + 3) = 16 tokens");
        assertEquals(0, length.next(16, 100), "16 rows fill the budget with their own tokens");
        assertEquals(0, length.next(65, 100), "65 rows: compute-bound, no speculation");
        assertEquals(2, length.next(1, 3), "the answer has room for 3 more tokens: the step's own and 2 drafts");
        assertEquals(0, length.next(1, 1));
    }

    @Test
    void aDraftCutShortShrinksTheNextAndFullAcceptanceGrowsItBack() {
        DraftLength length = new DraftLength(new Speculation(4, 1000));
        length.verified(4, 0);
        assertEquals(1, length.next(1, 100), "nothing accepted: one draft next time");
        length.verified(1, 1);
        assertEquals(2, length.next(1, 100));
        length.verified(2, 1);
        assertEquals(2, length.next(1, 100), "one accepted: one more than that");
        for (int i = 0; i < 5; i++) {
            length.verified(length.next(1, 100), length.next(1, 100));
        }
        assertEquals(4, length.next(1, 100), "never past the maximum");
        length.verified(0, 0);
        assertEquals(4, length.next(1, 100), "a step without drafts changes nothing");
    }

    @Test
    void speculationRefusesImpossibleSettings() {
        assertThrows(IllegalArgumentException.class, () -> new Speculation(17, 16));
        assertThrows(IllegalArgumentException.class, () -> new Speculation(-1, 16));
        assertThrows(IllegalArgumentException.class, () -> new Speculation(4, 0));
        assertEquals(false, Speculation.OFF.enabled());
    }
}
