package dev.nbce.gateway.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.request.ClientText;
import dev.nbce.common.request.GenerationResult;
import dev.nbce.common.request.Json;
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

    /** Body of an HTTP error response: {"error": {"code", "message"}}, OpenAI-shaped. */
    static ObjectNode httpError(ErrorCode code, String message) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.putObject("error").put("code", code.wireName()).put("message", ClientText.oneLine(message)).put("type", code.wireName());
        return node;
    }

    static String write(ObjectNode node) {
        return node.toString();
    }
}
