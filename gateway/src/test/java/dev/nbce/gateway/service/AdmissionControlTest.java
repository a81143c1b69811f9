package dev.nbce.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdmissionControlTest {
    private static final class Ticket implements AdmissionControl.Ticket {
        boolean started;
        boolean abandoned;

        @Override
        public void start() {
            started = true;
        }

        @Override
        public boolean abandoned() {
            return abandoned;
        }
    }

    @Test
    void overloadCarriesTheEstimatedWait() {
        AdmissionControl admission = new AdmissionControl(2, 6);
        List<Ticket> tickets = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Ticket t = new Ticket();
            admission.admit(t);
            tickets.add(t);
        }
        assertEquals(2, tickets.stream().filter(t -> t.started).count(), "two run at once");
        assertEquals(6, admission.queued());
        NbceException refused = assertThrows(NbceException.class, () -> admission.admit(new Ticket()));
        assertEquals(ErrorCode.OVERLOADED, refused.code());
        assertEquals(admission.retryAfterSeconds(), refused.retryAfterSeconds().getAsInt());
        assertEquals(4, refused.retryAfterSeconds().getAsInt(), "6 waiting over 2 slots: three rounds ahead, plus one");

        admission.release();
        admission.release();
        assertTrue(tickets.get(2).started && tickets.get(3).started, "the queue moves in order");
        assertEquals(3, admission.retryAfterSeconds(), "the estimate shrinks with the queue");
    }
}
