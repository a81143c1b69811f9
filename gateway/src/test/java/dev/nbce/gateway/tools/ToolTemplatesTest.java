package dev.nbce.gateway.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.gateway.prompt.ChatMessage;
import dev.nbce.gateway.prompt.ChatTemplate;
import dev.nbce.gateway.request.RequestMessage;
import dev.nbce.gateway.request.Role;
import dev.nbce.gateway.request.Tool;
import dev.nbce.gateway.request.ToolCall;
import dev.nbce.gateway.request.ToolChoice;
import dev.nbce.gateway.request.Tools;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Tools through the real families' chat templates (tokenizers/reference.json): Qwen3's renders them itself,
 * exactly as transformers does (tools/templates.json, made by tools/render.py with Python's jinja2); the
 * Llama 3 and Gemma 3 templates of the packages ignore them and get the default form.
 */
class ToolTemplatesTest {
    private static final JsonNode REFERENCE = Fixtures.readJson(Fixtures.file("tokenizers/reference.json"));
    private static final JsonNode CASES = Fixtures.readJson(Fixtures.file("tools/templates.json"));

    private static ChatTemplate template(String key) {
        JsonNode model = REFERENCE.get("models").get(key);
        JsonNode vars = model.get("template_variables");
        return ChatTemplate.of(model.get("chat_template").asText(), vars.path("bos_token").asText(null),
                vars.path("eos_token").asText(null));
    }

    static Tools tools(JsonNode definitions, ToolChoice choice) {
        if (definitions == null || definitions.isNull()) {
            return Tools.NONE;
        }
        List<Tool> out = new ArrayList<>();
        for (JsonNode d : definitions) {
            JsonNode f = d.get("function");
            out.add(new Tool(f.get("name").asText(), f.path("description").asText(null), (ObjectNode) f.get("parameters"),
                    false, d));
        }
        return new Tools(out, choice, true);
    }

    static List<RequestMessage> messages(JsonNode array) {
        List<RequestMessage> out = new ArrayList<>();
        for (JsonNode m : array) {
            List<ToolCall> calls = new ArrayList<>();
            for (JsonNode c : m.path("tool_calls")) {
                JsonNode f = c.get("function");
                calls.add(new ToolCall(c.get("id").asText(), f.get("name").asText(), f.get("arguments").toString(),
                        f.get("arguments")));
            }
            out.add(new RequestMessage(Role.byWireName(m.get("role").asText()).orElseThrow(), m.get("content").asText(),
                    null, calls, m.path("tool_call_id").asText(null)));
        }
        return out;
    }

    private static String render(ChatTemplate template, List<RequestMessage> conversation, Tools tools,
                                 ToolCallFormat format) {
        ToolPrompt prompt = ToolPrompt.of(conversation, tools, format, template.takesTools());
        List<ChatMessage> messages = prompt.messages().stream().map(m -> ChatMessage.of(m, false)).toList();
        String text = template.render(messages, prompt.templateTools(), true);
        assertEquals(text, template.scope().render(messages, prompt.templateTools(), true), "a scope renders the same");
        return text;
    }

    @Test
    void theReferenceIsOfTheTemplateWeTest() {
        assertEquals(REFERENCE.get("models").get("qwen3").get("chat_template_sha256"), CASES.get("chat_template_sha256"));
    }

    @Test
    void qwen3RendersToolsCallsAndResultsExactlyAsTransformers() {
        ChatTemplate qwen = template("qwen3");
        assertTrue(qwen.takesTools());
        for (JsonNode c : CASES.get("cases")) {
            assertEquals(c.get("text").asText(), render(qwen, messages(c.get("messages")),
                    tools(c.get("tools"), ToolChoice.AUTO), ToolCallFormat.HERMES), c.get("id").asText());
        }
    }

    @Test
    void toolChoiceNoneShowsNoTools() {
        ChatTemplate qwen = template("qwen3");
        JsonNode c = CASES.get("cases").get(0);
        String text = render(qwen, messages(c.get("messages")), tools(c.get("tools"), ToolChoice.NONE), ToolCallFormat.HERMES);
        assertFalse(text.contains("# Tools"), text);
    }

    @Test
    void theTemplatesThatIgnoreToolsGetTheDefaultFormInTheirFamilysFormat() {
        JsonNode c = CASES.get("cases").get(3); // system, user, assistant with two calls, two results, assistant, user
        for (String key : List.of("llama3_1", "gemma3")) {
            ChatTemplate template = template(key);
            assertFalse(template.takesTools(), key);
            ToolCallFormat format = ToolCallFormat.auto(template.source().orElseThrow());
            assertEquals(key.equals("llama3_1") ? ToolCallFormat.LLAMA3_JSON : ToolCallFormat.HERMES, format);
            String text = render(template, messages(c.get("messages")), tools(c.get("tools"), ToolChoice.AUTO), format);
            assertTrue(text.contains("Be brief.\n\n# Tools\n\nYou may call one or more of these functions:\n<tools>\n"), text);
            assertTrue(text.contains("\n{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":"
                    + "\"Météo d'une ville, en °C\""), text);
            assertTrue(text.contains("<tool_response>\n3 °C\n</tool_response>\n<tool_response>\n12:00\n</tool_response>"), text);
            if (format == ToolCallFormat.LLAMA3_JSON) {
                assertTrue(text.contains("</tools>\nTo call one, answer with only {\"name\": <function-name>, \"parameters\":"
                        + " <args-json-object>}; separate calls with \"; \"."), text);
                assertTrue(text.contains("Checking both.\n{\"name\": \"get_weather\", \"parameters\": {\"city\":\"Oslo\","
                        + "\"days\":2,\"ratio\":0.25}}; {\"name\": \"get_time\", \"parameters\": {}}<|eot_id|>"), text);
            } else {
                assertTrue(text.contains("</tools>\nTo call one, answer with <tool_call>\n{\"name\": <function-name>,"
                        + " \"arguments\": <args-json-object>}\n</tool_call>"), text);
                assertTrue(text.contains("<start_of_turn>model\nChecking both.\n<tool_call>\n{\"name\": \"get_weather\","
                        + " \"arguments\": {\"city\":\"Oslo\",\"days\":2,\"ratio\":0.25}}\n</tool_call>\n<tool_call>\n"
                        + "{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call><end_of_turn>"), text);
                assertTrue(text.contains("<start_of_turn>user\n<tool_response>\n3 °C"), text);
            }
        }
    }

    @Test
    void resultsFollowedByAQuestionAreOneUserTurnSoGemmasTurnsStillAlternate() {
        List<RequestMessage> conversation = new ArrayList<>(messages(CASES.get("cases").get(3).get("messages")));
        conversation.remove(5); // the assistant's answer to the results: the user asks on at once
        String text = render(template("gemma3"), conversation, tools(CASES.get("cases").get(3).get("tools"),
                ToolChoice.AUTO), ToolCallFormat.HERMES);
        assertTrue(text.contains("<start_of_turn>user\n<tool_response>\n3 °C\n</tool_response>\n<tool_response>\n12:00\n"
                + "</tool_response>\n\nThanks. And tomorrow?<end_of_turn>\n<start_of_turn>model\n"), text);
    }

    @Test
    void aConversationEndingWithAResultEndsWithAUserTurnInTheDefaultForm() {
        JsonNode c = CASES.get("cases").get(2);
        ToolPrompt prompt = ToolPrompt.of(messages(c.get("messages")), tools(c.get("tools"), ToolChoice.AUTO),
                ToolCallFormat.HERMES, false);
        assertNull(prompt.templateTools());
        RequestMessage last = prompt.messages().get(prompt.messages().size() - 1);
        assertEquals(RequestMessage.of(Role.USER, "<tool_response>\n{\"temp\": 3}\n</tool_response>"), last);
        assertEquals(Role.SYSTEM, prompt.messages().get(0).role());
    }

    @Test
    void aConversationWithoutToolsIsUntouched() {
        List<RequestMessage> plain = List.of(RequestMessage.of(Role.USER, "hi"));
        ToolPrompt prompt = ToolPrompt.of(plain, Tools.NONE, ToolCallFormat.HERMES, false);
        assertEquals(plain, prompt.messages());
        assertNull(prompt.templateTools());
    }
}
