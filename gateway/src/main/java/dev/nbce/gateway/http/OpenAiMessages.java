package dev.nbce.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.error.ClientText;
import dev.nbce.common.error.InvalidRequestException;
import dev.nbce.gateway.request.RequestMessage;
import dev.nbce.gateway.request.RequestParser;
import dev.nbce.gateway.request.Role;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * OpenAI chat messages as the request's conversation: {@code developer} is the system message (OpenAI's
 * newer name for it), {@code name} and an assistant's {@code refusal} and {@code annotations} are ignored,
 * content parts stay parts (non-text ones are refused by name, as in a native request). Tool and function
 * turns, and assistant tool calls, are refused: this server does not call tools. An unknown role is a 400.
 *
 * <p>Read in two passes, so errors come in the order a client has always seen: {@link #check} the turns
 * with OpenAI's other fields, {@link #read} their content with the request's.
 */
final class OpenAiMessages {
    private static final Map<String, Role> ROLES = Map.of("system", Role.SYSTEM, "developer", Role.SYSTEM,
            "user", Role.USER, "assistant", Role.ASSISTANT);
    private static final Set<String> FIELDS = Set.of("role", "content", "name", "refusal", "annotations", "audio",
            "tool_calls", "function_call", "tool_call_id");

    private OpenAiMessages() {}

    /** A message whose role and fields are checked; its content is read by {@link #read}. */
    record Turn(Role role, JsonNode content, String path) {}

    static List<Turn> check(JsonNode messages, boolean present) {
        if (messages == null || messages.isEmpty()) {
            throw new InvalidRequestException("messages", present ? "messages must be a non-empty array"
                    : "messages is required");
        }
        List<Turn> turns = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            turns.add(turn(messages.get(i), "messages[" + i + "]"));
        }
        return turns;
    }

    static List<RequestMessage> read(List<Turn> turns) {
        List<RequestMessage> out = new ArrayList<>(turns.size());
        for (Turn turn : turns) {
            out.add(RequestParser.message(turn.role(), turn.content(), turn.path(), OpenAiMessages::part));
        }
        return out;
    }

    /** A text part; OpenAI's assistant "refusal" parts are text the assistant said. */
    private static String part(JsonNode part, String path) {
        if (part.isObject() && "refusal".equals(part.path("type").asText(null)) && part.path("refusal").isTextual()) {
            return part.get("refusal").asText();
        }
        return RequestParser.textPart(part, path);
    }

    private static Turn turn(JsonNode message, String path) {
        if (!message.isObject()) {
            throw new InvalidRequestException(path, path + " must be an object, got " + RequestParser.describe(message));
        }
        for (Iterator<String> it = message.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                throw new InvalidRequestException(path + "." + field, "unknown field '" + path + "."
                        + ClientText.excerpt(field, 40) + "'");
            }
        }
        OpenAiFields f = new OpenAiFields(message, path + ".");
        String role = f.string("role");
        if (role == null) {
            throw new InvalidRequestException(path + ".role", path + ".role is required");
        }
        if (role.equals("tool") || role.equals("function")) {
            throw f.unsupported("role", "'" + role + "' is not supported: this server does not call tools");
        }
        if (!ROLES.containsKey(role)) {
            throw new InvalidRequestException(path + ".role", path + ".role must be one of system, developer, user,"
                    + " assistant, got '" + ClientText.excerpt(role, 40) + "'");
        }
        f.string("name"); // ignored: the templates served have no participant names
        f.string("refusal");
        f.array("annotations");
        JsonNode calls = f.array("tool_calls");
        if ((calls != null && !calls.isEmpty()) || f.has("function_call") || f.has("tool_call_id") || f.has("audio")) {
            throw f.unsupported("tool_calls", "(tool calls, audio) are not supported: this server does not call tools");
        }
        JsonNode content = f.get("content");
        if (content == null) {
            throw new InvalidRequestException(path + ".content", path + ".content is required");
        }
        return new Turn(ROLES.get(role), content, path);
    }
}
