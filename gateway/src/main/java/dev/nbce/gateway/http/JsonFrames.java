package dev.nbce.gateway.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.error.ClientText;
import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.InvalidRequestException;
import dev.nbce.common.error.NbceException;
import dev.nbce.gateway.request.GenerationResult;
import dev.nbce.gateway.request.Json;
import dev.nbce.gateway.session.TokenEvent;

/** The JSON messages the APIs send: token, done and error frames (WebSocket), events (SSE), errors (HTTP). */
final class JsonFrames {
    private JsonFrames() {}

    static ObjectNode token(String id, TokenEvent token) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        if (id != null) {
            node.put("type", "token").put("id", id);
        }
        node.put("text", token.text()).put("token_id", token.tokenId()).put("window", token.window())
                .put("context", token.context());
        if (token.logprob() != null) {
            node.put("logprob", Math.max(token.logprob().logprob(), -9999.0));
        }
        return node;
    }

    static ObjectNode done(String id, GenerationResult result) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("type", "done").put("id", id);
        node.set("result", result.toJson());
        return node;
    }

    static ObjectNode error(String id, ErrorCode code, String message) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("type", "error");
        if (id == null) {
            node.putNull("id");
        } else {
            node.put("id", id);
        }
        node.put("code", code.wireName()).put("message", ClientText.oneLine(message));
        return node;
    }

    /** Body of an HTTP error response, OpenAI's shape: {"error": {"message", "type", "param", "code"}}. */
    static ObjectNode httpError(ErrorCode code, String message) {
        return httpError(code, message, null);
    }

    /** As above; {@code param} names the offending request field (null: none). */
    static ObjectNode httpError(ErrorCode code, String message, String param) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        ObjectNode error = node.putObject("error").put("message", ClientText.oneLine(message)).put("type", errorType(code));
        if (param == null) {
            error.putNull("param");
        } else {
            error.put("param", ClientText.oneLine(ClientText.excerpt(param, 80)));
        }
        error.put("code", code.wireName());
        return node;
    }

    static ObjectNode httpError(NbceException e) {
        return httpError(e.code(), e.getMessage(), e instanceof InvalidRequestException invalid ? invalid.field() : null);
    }

    /** OpenAI's error categories, which its SDKs map to exception classes by status anyway. */
    private static String errorType(ErrorCode code) {
        int status = code.httpStatus();
        if (status == 401) {
            return "authentication_error";
        }
        if (status == 429) {
            return "rate_limit_error";
        }
        return status >= 500 ? "server_error" : "invalid_request_error";
    }

    static String write(ObjectNode node) {
        return node.toString();
    }
}
