package dev.nbce.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.gateway.request.Json;
import dev.nbce.common.testing.WsClient;
import java.util.ArrayList;
import java.util.List;

/**
 * The chat page's side of the WebSocket, message for message as gateway/src/main/resources/webroot/app.js
 * speaks it: an auth frame first when a key is set, then one generate message per question with the page's
 * default parameters; a question on the same documents as the last ones goes with the earlier (at most
 * three) exchanges as {@code messages}, other documents start a new conversation.
 */
final class ChatPageClient implements AutoCloseable {
    private static final int MAX_EXCHANGES = 3;

    /** One question asked: the request the page sent and the result the server answered with. */
    record Turn(ObjectNode request, JsonNode result) {}

    private final WsClient socket;
    private String conversationDocuments;
    private final List<ObjectNode> turns = new ArrayList<>();
    private int sequence;

    ChatPageClient(String baseUrl, String apiKey) throws Exception {
        socket = new WsClient(baseUrl);
        if (apiKey != null && !apiKey.isEmpty()) {
            socket.send(Json.MAPPER.createObjectNode().put("type", "auth").put("api_key", apiKey).toString());
        }
    }

    Turn ask(List<String> documents, String question) throws Exception {
        ObjectNode request = newQuestion(documents, question);
        List<ObjectNode> earlier = conversationFor(request.get("contexts").toString());
        if (!earlier.isEmpty()) {
            request.remove("question");
            ArrayNode messages = request.putArray("messages");
            earlier.forEach(messages::add);
            messages.addObject().put("role", "user").put("content", question);
        }
        JsonNode result = send(request);
        if (!result.path("finish_reason").asText().equals("cancelled")) {
            turns.add(Json.MAPPER.createObjectNode().put("role", "user").put("content", question));
            turns.add(Json.MAPPER.createObjectNode().put("role", "assistant").put("content", result.path("text").asText("")));
        }
        return new Turn(request, result);
    }

    /** What the page sends for a question that starts a conversation, with its parameter fields as it opens. */
    static ObjectNode newQuestion(List<String> documents, String question) {
        ObjectNode request = Json.MAPPER.createObjectNode();
        ArrayNode contexts = request.putArray("contexts");
        documents.forEach(contexts::add);
        request.put("question", question);
        request.put("max_new_tokens", 32).put("temperature", 0).put("top_p", 0.95);
        request.putObject("nbce").put("beta", 0.25).put("eta", 0.1).put("pooling", "min_entropy");
        return request;
    }

    /** Sends one generate message on this socket and waits for its result. */
    JsonNode send(ObjectNode request) throws Exception {
        String id = "q" + ++sequence;
        socket.send(WsClient.generateFrame(id, request));
        List<JsonNode> frames = socket.until(id, 120);
        JsonNode last = frames.get(frames.size() - 1);
        if (!last.path("type").asText().equals("done")) {
            throw new AssertionError(id + " ended with " + last);
        }
        return last.get("result");
    }

    private List<ObjectNode> conversationFor(String documents) {
        if (!documents.equals(conversationDocuments)) {
            conversationDocuments = documents;
            turns.clear();
        }
        return List.copyOf(turns.subList(Math.max(0, turns.size() - 2 * MAX_EXCHANGES), turns.size()));
    }

    @Override
    public void close() {
        socket.close();
    }
}
