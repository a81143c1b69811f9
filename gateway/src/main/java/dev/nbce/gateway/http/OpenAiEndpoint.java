package dev.nbce.gateway.http;

import dev.nbce.common.request.FinishReason;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.request.GenerationRequest;
import dev.nbce.common.request.GenerationResult;
import dev.nbce.common.request.InvalidRequestException;
import dev.nbce.common.request.Json;
import dev.nbce.common.request.RequestParser;
import dev.nbce.gateway.service.NbceService;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * OpenAI-compatible POST /v1/chat/completions and GET /v1/models. The last user message is the
 * question; the extension field "contexts" carries the windows (and "nbce" the NBCE parameters).
 */
final class OpenAiEndpoint {
    private static final Set<String> ACCEPTED = Set.of("model", "messages", "stream", "max_tokens",
            "max_completion_tokens", "temperature", "top_p", "seed", "stop", "contexts", "nbce", "n", "user");

    private final NbceService service;

    OpenAiEndpoint(NbceService service) {
        this.service = service;
    }

    void models(RoutingContext ctx) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("object", "list");
        body.putArray("data").addObject()
                .put("id", service.preparer().modelName())
                .put("object", "model")
                .put("created", 0)
                .put("owned_by", "nbce");
        HttpResponses.json(ctx, 200, body);
    }

    void chatCompletions(RoutingContext ctx) {
        GenerationRequest request;
        boolean stream;
        try {
            JsonNode body = RequestParser.readTree(ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes());
            stream = body.path("stream").asBoolean(false);
            request = RequestParser.parse(toNbceRequest(body));
        } catch (InvalidRequestException e) {
            HttpResponses.error(ctx, e);
            return;
        }
        String id = "chatcmpl-" + Long.toString(System.nanoTime(), 36);
        long created = System.currentTimeMillis() / 1000;
        if (stream) {
            stream(ctx, request, id, created);
        } else {
            respondOnce(ctx, request, id, created);
        }
    }

    /** Maps the OpenAI body onto our request JSON, so one parser validates both. */
    private static ObjectNode toNbceRequest(JsonNode body) {
        if (!body.isObject()) {
            throw new InvalidRequestException(null, "request body must be a JSON object");
        }
        body.fieldNames().forEachRemaining(field -> {
            if (!ACCEPTED.contains(field)) {
                throw new InvalidRequestException(field, "unknown field '" + field + "'");
            }
        });
        if (body.has("n") && body.get("n").asInt(-1) != 1) {
            throw new InvalidRequestException("n", "only n = 1 is supported");
        }
        JsonNode messages = body.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw new InvalidRequestException("messages", "messages must be a non-empty array");
        }
        String question = null;
        for (JsonNode message : messages) {
            if (!message.isObject() || !message.path("role").isTextual() || !message.path("content").isTextual()) {
                throw new InvalidRequestException("messages", "each message needs a string role and string content");
            }
            if (message.get("role").asText().equals("user")) {
                question = message.get("content").asText();
            }
        }
        if (question == null) {
            throw new InvalidRequestException("messages", "messages must include a user message (the question)");
        }
        ObjectNode request = Json.MAPPER.createObjectNode().put("question", question);
        copy(body, "contexts", request, "contexts");
        copy(body, "nbce", request, "nbce");
        copy(body, "temperature", request, "temperature");
        copy(body, "top_p", request, "top_p");
        copy(body, "seed", request, "seed");
        copy(body, "max_tokens", request, "max_new_tokens");
        copy(body, "max_completion_tokens", request, "max_new_tokens");
        JsonNode stop = body.get("stop");
        if (stop != null && stop.isTextual()) {
            request.putArray("stop").add(stop.asText());
        } else {
            copy(body, "stop", request, "stop");
        }
        return request;
    }

    private static void copy(JsonNode from, String name, ObjectNode to, String as) {
        if (from.has(name) && !from.get(name).isNull()) {
            to.set(as, from.get(name));
        }
    }

    private void respondOnce(RoutingContext ctx, GenerationRequest request, String id, long created) {
        HttpResponses.respondWhenDone(ctx, service, request, result -> {
            ObjectNode body = envelope(id, "chat.completion", created);
            ObjectNode choice = ((ArrayNode) body.get("choices")).addObject().put("index", 0);
            choice.putObject("message").put("role", "assistant").put("content", result.text());
            choice.put("finish_reason", finishReason(result.finishReason()));
            body.set("usage", usage(result));
            body.set("nbce", nbceExtras(result));
            return body;
        });
    }

    private void stream(RoutingContext ctx, GenerationRequest request, String id, long created) {
        boolean[] first = {true};
        SseStream.generate(ctx, service, request, (sse, token) -> {
            ObjectNode chunk = envelope(id, "chat.completion.chunk", created);
            ObjectNode choice = ((ArrayNode) chunk.get("choices")).addObject().put("index", 0);
            ObjectNode delta = choice.putObject("delta");
            if (first[0]) {
                delta.put("role", "assistant");
                first[0] = false;
            }
            delta.put("content", token.text());
            choice.putNull("finish_reason");
            choice.put("nbce_window", token.window());
            sse.send(null, chunk.toString());
        }, (sse, result) -> {
            ObjectNode chunk = envelope(id, "chat.completion.chunk", created);
            ObjectNode choice = ((ArrayNode) chunk.get("choices")).addObject().put("index", 0);
            choice.putObject("delta");
            choice.put("finish_reason", finishReason(result.finishReason()));
            chunk.set("usage", usage(result));
            sse.send(null, chunk.toString());
            sse.send(null, "[DONE]");
        }, (sse, e) -> {
            sse.send(null, JsonFrames.httpError(e.code(), e.getMessage()).toString());
            sse.send(null, "[DONE]");
        });
    }

    private ObjectNode envelope(String id, String object, long created) {
        ObjectNode node = Json.MAPPER.createObjectNode()
                .put("id", id).put("object", object).put("created", created)
                .put("model", service.preparer().modelName());
        node.putArray("choices");
        return node;
    }

    /** OpenAI knows "length" and "stop"; an EOS, a stop string or a cancel all read as "stop". */
    private static String finishReason(FinishReason ours) {
        return ours == FinishReason.LENGTH ? "length" : "stop";
    }

    private static ObjectNode usage(GenerationResult result) {
        return Json.MAPPER.createObjectNode()
                .put("prompt_tokens", result.usage().promptTokens())
                .put("completion_tokens", result.usage().generatedTokens())
                .put("total_tokens", result.usage().promptTokens() + result.usage().generatedTokens());
    }

    private static ObjectNode nbceExtras(GenerationResult result) {
        ObjectNode node = Json.MAPPER.createObjectNode().put("windows", result.windows());
        ArrayNode windows = node.putArray("selected_windows");
        for (int w : result.selectedWindows()) {
            windows.add(w);
        }
        return node;
    }
}
