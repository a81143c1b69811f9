package dev.nbce.gateway.service;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;
import dev.nbce.gateway.request.GenerationRequest;
import dev.nbce.gateway.request.Json;
import dev.nbce.gateway.request.RequestParser;
import org.junit.jupiter.api.Test;

/** What is refused before tokenizing: too many contexts, or more bytes than the token limit can hold. */
class CheapLimitsTest {
    private static final GatewayLimits LIMITS = new GatewayLimits(256, 1000, 64,
            GatewayLimits.DEFAULT.maxRequestBytes(), GatewayLimits.DEFAULT.maxRequestsPerSocket(), GatewayLimits.DEFAULT.maxActive(),
            GatewayLimits.DEFAULT.maxQueued(), GatewayLimits.DEFAULT.maxBufferedBytes(), GatewayLimits.DEFAULT.capacityWaitMillis());
    /** A vocabulary whose longest entry spells 10 bytes. */
    private final CheapLimits limits = new CheapLimits(LIMITS, 10);

    private static GenerationRequest request(int contexts, int bytesEach) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("question", "Which?");
        ArrayNode array = body.putArray("contexts");
        for (int i = 0; i < contexts; i++) {
            array.add("x".repeat(bytesEach));
        }
        return RequestParser.parse(body);
    }

    @Test
    void tenThousandTinyContextsAreRefusedByCount() {
        NbceException e = assertThrows(NbceException.class, () -> limits.check(request(10_000, 1)));
        assertEquals(ErrorCode.TOO_LARGE, e.code());
        assertDoesNotThrow(() -> limits.check(request(256, 1)), "256 contexts may be 256 windows");
    }

    @Test
    void textThatMustExceedTheTokenLimitIsRefusedByBytes() {
        // 1,000 tokens of at most 10 bytes each: 10,000 bytes may fit, 10,010 cannot.
        assertDoesNotThrow(() -> limits.check(request(10, 1_000)));
        NbceException e = assertThrows(NbceException.class, () -> limits.check(request(10, 1_001)));
        assertEquals(ErrorCode.TOO_LARGE, e.code());
        ObjectNode document = Json.MAPPER.createObjectNode().put("question", "Which?").put("document", "é".repeat(5_006));
        assertThrows(NbceException.class, () -> limits.check(RequestParser.parse(document)), "bytes, not characters");
    }

    @Test
    void maxNewTokensOverTheServerLimitIsABadRequest() {
        ObjectNode body = Json.MAPPER.createObjectNode().put("question", "Which?").put("max_new_tokens", 65);
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(NbceException.class,
                () -> limits.check(RequestParser.parse(body))).code());
    }
}
