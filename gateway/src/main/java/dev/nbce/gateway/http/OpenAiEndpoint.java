package dev.nbce.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.error.NbceException;
import dev.nbce.gateway.request.GenerationRequest;
import dev.nbce.gateway.request.Json;
import dev.nbce.gateway.request.RequestParser;
import dev.nbce.gateway.service.NbceService;
import dev.nbce.gateway.tools.ToolCallStream;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * OpenAI-compatible POST /v1/chat/completions, POST /v1/completions and GET /v1/models. Reading the
 * body is {@link OpenAiRequestParser}'s job, the answers' JSON {@link OpenAiResponses}'; this class runs
 * the generation, whole or as an event stream ending in {@code data: [DONE]}. Errors are OpenAI-shaped.
 */
final class OpenAiEndpoint {
    private final NbceService service;
    private final OpenAiRequestParser parser;

    OpenAiEndpoint(NbceService service) {
        this.service = service;
        this.parser = new OpenAiRequestParser(service.preparer().modelName(), service.preparer().toolCallFormat());
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
        OpenAiRequest request = read(ctx, parser::chat);
        if (request == null) {
            return;
        }
        OpenAiResponses out = responses("chatcmpl-");
        if (!request.stream()) {
            HttpResponses.respondWhenAllDone(ctx, service, choices(request),
                    r -> out.chatCompletion(r, request.logprobs(), request.toolFormat()));
            return;
        }
        if (request.toolFormat() != null) {
            streamToolCalls(ctx, request, out);
            return;
        }
        boolean[] first = {true};
        SseStream.generate(ctx, service, request.request(), (sse, token) -> {
            sse.send(null, out.chatChunk(token.text(), token.logprob(), token.window(), first[0], request.logprobs()).toString());
            first[0] = false;
        }, (sse, result) -> {
            sse.send(null, out.chatFinalChunk(result).toString());
            if (request.includeUsage()) {
                sse.send(null, out.usageChunk("chat.completion.chunk", result).toString());
            }
            sse.send(null, "[DONE]");
        }, OpenAiEndpoint::streamError);
    }

    /**
     * A chat stream read for tool calls: content and call deltas as {@link ToolCallStream} releases them (a
     * token that releases nothing sends no chunk; these chunks carry no log-probabilities), then the finish
     * reason, "tool_calls" when calls were streamed.
     */
    private void streamToolCalls(RoutingContext ctx, OpenAiRequest request, OpenAiResponses out) {
        ToolCallStream calls = new ToolCallStream(request.toolFormat());
        boolean[] first = {true};
        int[] window = {-1};
        SseStream.generate(ctx, service, request.request(), (sse, token) -> {
            window[0] = token.window();
            for (ToolCallStream.Delta delta : calls.push(token.text())) {
                sse.send(null, out.toolChunk(delta, token.window(), first[0]).toString());
                first[0] = false;
            }
        }, (sse, result) -> {
            for (ToolCallStream.Delta delta : calls.finish()) {
                sse.send(null, out.toolChunk(delta, window[0], first[0]).toString());
                first[0] = false;
            }
            sse.send(null, out.chatFinalChunk(result, calls.calledTools()).toString());
            if (request.includeUsage()) {
                sse.send(null, out.usageChunk("chat.completion.chunk", result).toString());
            }
            sse.send(null, "[DONE]");
        }, OpenAiEndpoint::streamError);
    }

    void completions(RoutingContext ctx) {
        OpenAiRequest request = read(ctx, parser::completion);
        if (request == null) {
            return;
        }
        OpenAiResponses out = responses("cmpl-");
        if (!request.stream()) {
            HttpResponses.respondWhenAllDone(ctx, service, choices(request), r -> out.completion(r, request.logprobs()));
            return;
        }
        SseStream.generate(ctx, service, request.request(),
                (sse, token) -> sse.send(null, out.completionChunk(token.text(), token.logprob(), request.logprobs()).toString()),
                (sse, result) -> {
                    sse.send(null, out.completionFinalChunk(result).toString());
                    if (request.includeUsage()) {
                        sse.send(null, out.usageChunk("text_completion", result).toString());
                    }
                    sse.send(null, "[DONE]");
                }, OpenAiEndpoint::streamError);
    }

    /** One generation per choice ({@code n}), each with its own seed. */
    private static List<GenerationRequest> choices(OpenAiRequest request) {
        List<GenerationRequest> out = new ArrayList<>();
        for (int i = 0; i < request.choices(); i++) {
            out.add(request.choice(i));
        }
        return out;
    }

    /** The parsed request, or null after answering with the error. */
    private static OpenAiRequest read(RoutingContext ctx, Function<JsonNode, OpenAiRequest> parse) {
        try {
            byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
            return parse.apply(RequestParser.readTree(body));
        } catch (NbceException e) {
            HttpResponses.error(ctx, e);
            return null;
        }
    }

    private OpenAiResponses responses(String idPrefix) {
        return new OpenAiResponses(idPrefix, service.preparer().modelName(), service.preparer()::tokenText);
    }

    /** A failure after the stream began: an error event as OpenAI sends it, then the end of the stream. */
    private static void streamError(SseStream sse, NbceException e) {
        sse.send(null, JsonFrames.httpError(e).toString());
        sse.send(null, "[DONE]");
    }
}
