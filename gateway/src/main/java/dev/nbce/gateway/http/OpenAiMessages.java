package dev.nbce.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.error.ClientText;
import dev.nbce.common.error.InvalidRequestException;
import dev.nbce.gateway.request.RequestMessage;
import dev.nbce.gateway.request.RequestParser;
import dev.nbce.gateway.request.Role;
import dev.nbce.gateway.request.ToolCall;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * OpenAI chat messages as the request's conversation: {@code developer} is the system message (OpenAI's
 * newer name for it), {@code name} and an assistant's {@code refusal} and {@code annotations} are ignored,
 * content parts stay parts (non-text ones are refused by name, as in a native request). An assistant's
 * {@code tool_calls} (arguments: a JSON object as a string; its content may then be null) and {@code tool}
 * turns ({@code tool_call_id}, content) are kept for the chat template; the deprecated {@code function}
 * role and {@code function_call} are refused. An unknown role is a 400.
 *
 * <p>Read in two passes, so errors come in the order a client has always seen: {@link #check} the turns
 * with OpenAI's other fields, {@link #read} their content with the request's.
 */
final class OpenAiMessages {
    private static final Map<String, Role> ROLES = Map.of("system", Role.SYSTEM, "developer", Role.SYSTEM,
            "user", Role.USER, "assistant", Role.ASSISTANT, "tool", Role.TOOL);
    private static final Set<String> FIELDS = Set.of("role", "content", "name", "refusal", "annotations", "audio",
            "tool_calls", "function_call", "tool_call_id");

    private OpenAiMessages() {}

    /** A message whose role and fields are checked; its content is read by {@link #read}. */
    record Turn(Role role, JsonNode content, String path, List<ToolCall> toolCalls, String toolCallId) {}

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
            RequestMessage message = turn.content() == null ? RequestMessage.of(turn.role(), "")
                    : RequestParser.message(turn.role(), turn.content(), turn.path(), OpenAiMessages::part);
            out.add(new RequestMessage(message.role(), message.content(), message.parts(), turn.toolCalls(),
                    turn.toolCallId()));
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
        if (role.equals("function")) {
            throw f.unsupported("role", "'function' is not supported (deprecated): send a 'tool' message with its"
                    + " tool_call_id");
        }
        if (!ROLES.containsKey(role)) {
            throw new InvalidRequestException(path + ".role", path + ".role must be one of system, developer, user,"
                    + " assistant, tool, got '" + ClientText.excerpt(role, 40) + "'");
        }
        f.string("name"); // ignored: the templates served have no participant names
        f.string("refusal");
        f.array("annotations");
        if (f.has("function_call")) {
            throw f.unsupported("function_call", "is not supported (deprecated): send tool_calls");
        }
        if (f.has("audio")) {
            throw f.unsupported("audio", "is not supported (send null or leave it out)");
        }
        Role parsed = ROLES.get(role);
        List<ToolCall> calls = toolCalls(f, parsed);
        String answers = f.string("tool_call_id");
        if ((answers != null) != (parsed == Role.TOOL)) {
            throw new InvalidRequestException(path + ".tool_call_id", parsed == Role.TOOL
                    ? path + ".tool_call_id is required in a tool message"
                    : path + ".tool_call_id belongs to tool messages only");
        }
        JsonNode content = f.get("content");
        if (content == null && calls.isEmpty()) {
            throw new InvalidRequestException(path + ".content", path + ".content is required");
        }
        return new Turn(parsed, content, path, calls, answers);
    }

    /** An assistant's {@code tool_calls}: [{"id", "type": "function", "function": {"name", "arguments"}}, …]. */
    private static List<ToolCall> toolCalls(OpenAiFields f, Role role) {
        JsonNode calls = f.array("tool_calls");
        if (calls == null || calls.isEmpty()) {
            return List.of();
        }
        if (role != Role.ASSISTANT) {
            throw f.unsupported("tool_calls", "belongs to assistant messages only");
        }
        List<ToolCall> out = new ArrayList<>(calls.size());
        for (int i = 0; i < calls.size(); i++) {
            String at = f.path("tool_calls") + "[" + i + "]";
            JsonNode call = calls.get(i);
            if (!call.isObject()) {
                throw new InvalidRequestException(at, at + " must be an object, got " + RequestParser.describe(call));
            }
            OpenAiFields c = new OpenAiFields(call, at + ".");
            String type = c.string("type");
            if (type != null && !type.equals("function")) {
                throw new InvalidRequestException(at + ".type", at + ".type must be \"function\", got '"
                        + ClientText.excerpt(type, 40) + "'");
            }
            String id = c.string("id");
            JsonNode function = c.object("function");
            if (id == null || function == null) {
                throw new InvalidRequestException(at, at + " needs an \"id\" and a \"function\"");
            }
            OpenAiFields fn = new OpenAiFields(function, at + ".function.");
            String name = fn.string("name");
            String arguments = fn.string("arguments");
            if (name == null || arguments == null) {
                throw new InvalidRequestException(at + ".function", at + ".function needs a \"name\" and \"arguments\"");
            }
            out.add(ToolCall.of(id, name, arguments, fn.path("arguments")));
        }
        return out;
    }
}
