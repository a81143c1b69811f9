package dev.nbce.common.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ErrorCodeTest {
    @Test
    void wireNamesAreUniqueSnakeCaseAndReadBack() {
        Set<String> names = new HashSet<>();
        for (ErrorCode code : ErrorCode.values()) {
            assertTrue(names.add(code.wireName()), code.wireName());
            assertTrue(code.wireName().matches("[a-z]+(_[a-z]+)*"), code.wireName());
            assertEquals(Optional.of(code), ErrorCode.byWireName(code.wireName()));
        }
        assertEquals(Optional.empty(), ErrorCode.byWireName("no_such_code"));
        assertEquals(Optional.empty(), ErrorCode.byWireName(null));
    }

    @Test
    void onlyFailuresAnotherWorkerMightNotHaveAreRetryable() {
        Set<ErrorCode> retryable = Arrays.stream(ErrorCode.values()).filter(ErrorCode::retryable)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(ErrorCode.class)));
        assertEquals(EnumSet.of(ErrorCode.CAPACITY, ErrorCode.SHUTTING_DOWN, ErrorCode.UNKNOWN_REQUEST, ErrorCode.INTERNAL,
                ErrorCode.WORKER_LOST, ErrorCode.WORKER_TIMEOUT), retryable);
    }

    @Test
    void statusesAndCloseCodesFollowTheKindOfFailure() {
        for (ErrorCode code : ErrorCode.values()) {
            int status = code.httpStatus();
            // The statuses of RFC 9110 this server means, and nothing else (no 418s by accident).
            assertTrue(Set.of(400, 401, 403, 404, 405, 413, 414, 417, 426, 429, 431, 500, 503).contains(status),
                    code + " " + status);
            short close = code.webSocketCloseCode();
            assertTrue(close >= 1008 && close <= 1013, code + " closes with " + close);
            if (status >= 500) {
                assertTrue(close == 1011 || close == 1013, code + ": a server-side failure is not the client's policy violation");
            }
        }
        assertEquals(400, ErrorCode.BAD_REQUEST.httpStatus());
        assertEquals(429, ErrorCode.OVERLOADED.httpStatus());
        assertEquals(503, ErrorCode.NO_WORKERS.httpStatus());
        assertEquals(1008, ErrorCode.SLOW_CLIENT.webSocketCloseCode(), "a client too slow to read violates policy");
    }

    @Test
    void anyThrowableMapsToOneCode() {
        NbceException lost = new NbceException(ErrorCode.WORKER_LOST, "worker w1 is gone");
        assertSame(lost, NbceException.of(lost));
        assertSame(lost, NbceException.of(new CompletionException(lost)), "futures' wrappers are looked through");
        assertSame(lost, NbceException.of(new ExecutionException(new CompletionException(lost))));
        assertEquals(ErrorCode.BAD_REQUEST, NbceException.of(new InvalidRequestException("top_p", "top_p must be …")).code());
        NbceException bug = NbceException.of(new IllegalStateException("first line\nsecond line"));
        assertEquals(ErrorCode.INTERNAL, bug.code());
        assertEquals("first line", bug.getMessage());
        assertEquals("unexpected failure", NbceException.of(new NullPointerException()).getMessage());
        assertEquals("unexpected failure", NbceException.of(new IllegalStateException("Trailing token found after"
                + " value (bound as `com.fasterxml.jackson.databind.JsonNode`)")).getMessage(), "a library's words stay inside");
        assertEquals("unexpected failure", NbceException.of(new RuntimeException("at java.base/java.lang.Thread")).getMessage());
    }

    @Test
    void aRetryEstimateIsOptional() {
        assertTrue(new NbceException(ErrorCode.OVERLOADED, "busy").retryAfterSeconds().isEmpty());
        assertEquals(7, new NbceException(ErrorCode.OVERLOADED, "busy", 7).retryAfterSeconds().getAsInt());
    }
}
