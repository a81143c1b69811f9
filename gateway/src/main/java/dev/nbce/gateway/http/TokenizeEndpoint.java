package dev.nbce.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.InvalidRequestException;
import dev.nbce.common.error.NbceException;
import dev.nbce.gateway.prompt.PromptModel;
import dev.nbce.gateway.request.Json;
import dev.nbce.gateway.request.RequestParser;
import dev.nbce.gateway.service.ConversationPreparer;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * {@code POST /tokenize} and {@code POST /detokenize}, shaped as vLLM's: the gateway's own tokenizer
 * and chat template, answered without any worker (so a client can count tokens, or check how its
 * conversation renders, before it sends it).
 *
 * <pre>
 * {"prompt": "...", "add_special_tokens": true}                 → {"tokens": [...], "count": N, "max_model_len": M}
 * {"messages": [...], "add_generation_prompt": true}            → the same, for the rendered conversation
 * {"tokens": [1, 2, 3]}  (detokenize)                           → {"prompt": "..."}
 * </pre>
 */
final class TokenizeEndpoint {
    private static final Set<String> TOKENIZE_FIELDS =
            Set.of("model", "prompt", "messages", "add_special_tokens", "add_generation_prompt");
    private static final Set<String> DETOKENIZE_FIELDS = Set.of("model", "tokens");

    private final PromptModel model;

    TokenizeEndpoint(PromptModel model) {
        this.model = model;
    }

    void tokenize(RoutingContext ctx) {
        answer(ctx, body -> {
            requireOnly(body, TOKENIZE_FIELDS);
            boolean hasPrompt = body.has("prompt");
            if (hasPrompt == body.has("messages")) {
                throw new InvalidRequestException(null, "give exactly one of \"prompt\" or \"messages\"");
            }
            int[] ids;
            if (hasPrompt) {
                ids = encode(text(body, "prompt"), flag(body, "add_special_tokens", true));
            } else {
                // The native request's message format, parsed as strictly as in /v1/generate.
                String rendered = ConversationPreparer.render(model, RequestParser.messages(body.get("messages")),
                        flag(body, "add_generation_prompt", true));
                // The template writes the special tokens itself (BOS included): never add them twice.
                ids = encode(rendered, flag(body, "add_special_tokens", false));
            }
            ObjectNode out = Json.MAPPER.createObjectNode();
            ArrayNode tokens = out.putArray("tokens");
            for (int id : ids) {
                tokens.add(id);
            }
            return out.put("count", ids.length).put("max_model_len", model.maxPositions());
        });
    }

    void detokenize(RoutingContext ctx) {
        answer(ctx, body -> {
            requireOnly(body, DETOKENIZE_FIELDS);
            JsonNode tokens = body.get("tokens");
            if (tokens == null || !tokens.isArray()) {
                throw new InvalidRequestException("tokens", "\"tokens\" must be an array of token ids");
            }
            int[] ids = new int[tokens.size()];
            for (int i = 0; i < ids.length; i++) {
                JsonNode id = tokens.get(i);
                if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0
                        || id.intValue() >= model.tokenizer().vocabularySize()) {
                    throw new InvalidRequestException("tokens[" + i + "]",
                            "tokens[" + i + "] must be a token id in 0.." + (model.tokenizer().vocabularySize() - 1));
                }
                ids[i] = id.intValue();
            }
            return Json.MAPPER.createObjectNode().put("prompt", model.tokenizer().decode(ids, false));
        });
    }

    private interface Handler {
        JsonNode handle(JsonNode body);
    }

    /** Parses the body, runs the (blocking) tokenizer off the event loop, answers JSON or our error. */
    private static void answer(RoutingContext ctx, Handler handler) {
        ctx.vertx().<JsonNode>executeBlocking(() -> {
            JsonNode body = RequestParser.readTree(ctx.body().asString());
            if (!body.isObject()) {
                throw new InvalidRequestException(null, "the body must be a JSON object");
            }
            return handler.handle(body);
        }, false).onComplete(done -> {
            if (done.succeeded()) {
                HttpResponses.json(ctx, 200, done.result());
            } else if (done.cause() instanceof IllegalArgumentException template) {
                // A chat template that refuses the conversation (raise_exception): the client's to fix.
                HttpResponses.error(ctx, ErrorCode.BAD_REQUEST, template.getMessage());
            } else {
                HttpResponses.error(ctx, NbceException.of(done.cause()));
            }
        });
    }

    private int[] encode(String text, boolean addSpecialTokens) {
        return addSpecialTokens ? model.tokenizer().encodeWithSpecialTokens(text) : model.tokenizer().encode(text);
    }

    private static void requireOnly(JsonNode body, Set<String> known) {
        body.fieldNames().forEachRemaining(field -> {
            if (!known.contains(field)) {
                throw new InvalidRequestException(field, "unknown field \"" + field + "\"; expected one of " + known);
            }
        });
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || !value.isTextual()) {
            throw new InvalidRequestException(field, "\"" + field + "\" must be a string");
        }
        return value.asText();
    }

    private static boolean flag(JsonNode body, String field, boolean fallback) {
        JsonNode value = body.get(field);
        if (value == null) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw new InvalidRequestException(field, "\"" + field + "\" must be true or false");
        }
        return value.asBoolean();
    }
}
