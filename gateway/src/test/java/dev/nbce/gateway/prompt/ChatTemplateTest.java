package dev.nbce.gateway.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.gateway.request.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatTemplateTest {

    // Hub templates, written from the published formats. Jinja escapes (\n) are kept as Jinja source.

    static final String LLAMA_3 = "{% set loop_messages = messages %}{% for message in loop_messages %}"
            + "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'"
            + "+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}"
            + "{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";

    static final String LLAMA_3_1 = """
            {{- bos_token }}
            {%- if custom_tools is defined %}
                {%- set tools = custom_tools %}
            {%- endif %}
            {%- if not tools_in_user_message is defined %}
                {%- set tools_in_user_message = true %}
            {%- endif %}
            {%- if not date_string is defined %}
                {%- set date_string = "26 Jul 2024" %}
            {%- endif %}
            {%- if not tools is defined %}
                {%- set tools = none %}
            {%- endif %}

            {#- This block extracts the system message, so we can slot it into the right place. #}
            {%- if messages[0]['role'] == 'system' %}
                {%- set system_message = messages[0]['content']|trim %}
                {%- set messages = messages[1:] %}
            {%- else %}
                {%- set system_message = "" %}
            {%- endif %}

            {#- System message + builtin tools #}
            {{- "<|start_header_id|>system<|end_header_id|>\\n\\n" }}
            {%- if builtin_tools is defined or tools is not none %}
                {{- "Environment: ipython\\n" }}
            {%- endif %}
            {{- "Cutting Knowledge Date: December 2023\\n" }}
            {{- "Today Date: " + date_string + "\\n\\n" }}
            {%- if tools is not none and not tools_in_user_message %}
                {{- "You have access to the following functions." }}
                {%- for t in tools %}
                    {{- t | tojson(indent=4) }}
                    {{- "\\n\\n" }}
                {%- endfor %}
            {%- endif %}
            {{- system_message }}
            {{- "<|eot_id|>" }}

            {%- for message in messages %}
                {%- if not (message.role == 'ipython' or message.role == 'tool' or 'tool_calls' in message) %}
                    {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' }}
                {%- elif 'tool_calls' in message %}
                    {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}
                {%- else %}
                    {{- "<|start_header_id|>ipython<|end_header_id|>\\n\\n" }}
                {%- endif %}
            {%- endfor %}
            {%- if add_generation_prompt %}
                {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}
            {%- endif %}
            """;

    static final String LLAMA_3_2_DATE = """
            {{- bos_token }}
            {%- if not date_string is defined %}
                {%- if strftime_now is defined %}
                    {%- set date_string = strftime_now("%d %b %Y") %}
                {%- else %}
                    {%- set date_string = "26 Jul 2024" %}
                {%- endif %}
            {%- endif %}
            {{- "Today Date: " + date_string }}
            """;

    static final String QWEN_2 = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
            + "{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}"
            + "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    static final String QWEN_2_5 = """
            {%- if tools %}
                {{- '<|im_start|>system\\n' }}
                {%- if messages[0]['role'] == 'system' %}
                    {{- messages[0]['content'] }}
                {%- else %}
                    {{- 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' }}
                {%- endif %}
                {{- "\\n\\n# Tools\\n\\n<tools>" }}
                {%- for tool in tools %}
                    {{- "\\n" }}
                    {{- tool | tojson }}
                {%- endfor %}
                {{- "\\n</tools><|im_end|>\\n" }}
            {%- else %}
                {%- if messages[0]['role'] == 'system' %}
                    {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}
                {%- else %}
                    {{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}
                {%- endif %}
            {%- endif %}
            {%- for message in messages %}
                {%- if (message.role == "user") or (message.role == "system" and not loop.first) or (message.role == "assistant" and not message.tool_calls) %}
                    {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}
                {%- elif message.role == "assistant" %}
                    {{- '<|im_start|>' + message.role }}
                    {%- if message.content %}
                        {{- '\\n' + message.content }}
                    {%- endif %}
                    {{- '<|im_end|>\\n' }}
                {%- elif message.role == "tool" %}
                    {{- '<|im_start|>user\\n<tool_response>\\n' + message.content + '\\n</tool_response><|im_end|>\\n' }}
                {%- endif %}
            {%- endfor %}
            {%- if add_generation_prompt %}
                {{- '<|im_start|>assistant\\n' }}
            {%- endif %}
            """;

    static final String MISTRAL = "{{ bos_token }}{% for message in messages %}"
            + "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
            + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
            + "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}"
            + "{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}"
            + "{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}";

    private static List<ChatMessage> user(String content) {
        return List.of(ChatMessage.user(content));
    }

    @Test
    void modelTemplatesReproduceReferenceRowsForTheQuestionRow() throws IOException {
        for (String model : List.of("tiny-llama", "nbce-demo")) {
            ChatTemplate template = ChatTemplate.load(Fixtures.model(model));
            assertFalse(template.isFallback());
            for (JsonNode c : Fixtures.nbceCases("tiny-llama")) {
                assertEquals(c.get("row_texts").get(0).asText(), template.render(user(c.get("question").asText())), model);
            }
        }
    }

    @Test
    void messageTextIsNeverInterpretedAsTemplateCode() throws IOException {
        ChatTemplate template = ChatTemplate.load(Fixtures.model("nbce-demo"));
        String content = "literal {{ 1 + 1 }} and {% if x %}braces{% endif %} {# not a comment #}";
        assertEquals("<|im_start|>user\n" + content + "<|im_end|>\n<|im_start|>assistant\n",
                template.render(user(content)));
    }

    @Test
    void llama3() {
        ChatTemplate template = ChatTemplate.of(LLAMA_3, "<|begin_of_text|>", "<|eot_id|>");
        assertEquals("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nWhere is Ana?<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n", template.render(user("  Where is Ana?\n")));
        assertEquals("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>",
                template.render(user("Hi"), false));
    }

    @Test
    void llama31WithWhitespaceControlAndSystemExtraction() {
        ChatTemplate template = ChatTemplate.of(LLAMA_3_1, "<|begin_of_text|>", "<|eot_id|>");
        String header = "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
                + "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n";
        assertEquals(header + "<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n", template.render(user("Hi")));
        assertEquals(header + "Be terse.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\n",
                template.render(List.of(new ChatMessage(Role.SYSTEM, " Be terse. "), ChatMessage.user("Hi"))));
    }

    @Test
    void strftimeNowIsDefinedAndFormatsTodayLikePython() {
        ChatTemplate template = ChatTemplate.of(LLAMA_3_2_DATE, "<s>", "</s>");
        String before = HubTemplateExtensions.strftime(LocalDateTime.now(), "%d %b %Y");
        String rendered = template.render(user("Hi"));
        String after = HubTemplateExtensions.strftime(LocalDateTime.now(), "%d %b %Y");
        assertTrue(rendered.equals("<s>Today Date: " + before) || rendered.equals("<s>Today Date: " + after), rendered);
        assertEquals("05 Mar 2024 07:09:03 Tuesday 065 %",
                HubTemplateExtensions.strftime(LocalDateTime.of(2024, 3, 5, 7, 9, 3), "%d %b %Y %H:%M:%S %A %j %%"));
    }

    @Test
    void qwen2AddsItsDefaultSystemTurn() {
        ChatTemplate template = ChatTemplate.of(QWEN_2, null, "<|im_end|>");
        assertEquals("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
                + "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", template.render(user("Hi")));
    }

    @Test
    void qwen25WithoutToolsRendersAMultiTurnChat() {
        ChatTemplate template = ChatTemplate.of(QWEN_2_5, null, "<|im_end|>");
        assertEquals("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
                + "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", template.render(user("Hi")));
        List<ChatMessage> chat = List.of(new ChatMessage(Role.SYSTEM, "Be brief."), ChatMessage.user("Hi"),
                new ChatMessage(Role.ASSISTANT, "Hello."), ChatMessage.user("Bye"));
        assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                + "<|im_start|>assistant\nHello.<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n",
                template.render(chat));
    }

    @Test
    void mistralRendersAndRaisesOnBadRoles() {
        ChatTemplate template = ChatTemplate.of(MISTRAL, "<s>", "</s>");
        assertEquals("<s>[INST] Hi [/INST]Hello</s>[INST] Bye [/INST]", template.render(List.of(
                ChatMessage.user("Hi"), new ChatMessage(Role.ASSISTANT, "Hello"), ChatMessage.user("Bye"))));
        ChatTemplateException e = assertThrows(ChatTemplateException.class,
                () -> template.render(List.of(ChatMessage.user("a"), ChatMessage.user("b"))));
        assertEquals("chat template raised: Conversation roles must alternate user/assistant/user/assistant/...",
                e.getMessage());
    }

    @Test
    void trimsAndStripsBlocksLikeTransformers() {
        ChatTemplate template = ChatTemplate.of("{% for m in messages %}\n  {{ m.content }}\n  {% endfor %}\n", null, null);
        assertEquals("  a\n  b\n", template.render(List.of(ChatMessage.user("a"), new ChatMessage(Role.ASSISTANT, "b"))));
    }

    @Test
    void tojsonWritesPythonJson() {
        ChatTemplate oneLine = ChatTemplate.of(
                "{{ {'name': 'get', 'args': [1, 2.5, true, none, 'x\"y']} | tojson }}", null, null);
        assertEquals("{\"name\": \"get\", \"args\": [1, 2.5, true, null, \"x\\\"y\"]}", oneLine.render(user("u")));
        ChatTemplate indented = ChatTemplate.of("{{ {'a': [1], 'b': 'c'} | tojson(indent=2) }}", null, null);
        assertEquals("{\n  \"a\": [\n    1\n  ],\n  \"b\": \"c\"\n}", indented.render(user("u")));
        assertEquals("{}", PythonJson.dumps(java.util.Map.of(), 2));
    }

    @Test
    void pythonStringMethodsWork() {
        ChatTemplate template = ChatTemplate.of("{% set c = messages[0].content %}"
                + "{{ c.startswith('Hel') }} {{ c.endswith(('x', 'd!')) }} {{ c.split() | length }} "
                + "{{ c.split('l', 1)[1] }} {{ c.upper() }} {{ c.lower() }} {{ c.replace('l', 'L', 2) }} "
                + "{{ c.strip('H!') }} {{ 'a b'.title() }} {{ '-'.join(['x', 'y']) }} {{ c.rstrip('!') }}", null, null);
        assertEquals("true true 2 lo world! HELLO WORLD! hello world! HeLLo world! ello world A B x-y Hello world",
                template.render(user("Hello world!")));
    }

    @Test
    void generationBlockIsTransparent() {
        ChatTemplate template = ChatTemplate.of("{% generation %}{{ messages[0].content }}{% endgeneration %}!", null, null);
        assertEquals("x!", template.render(user("x")));
    }

    @Test
    void brokenTemplateFailsWhenLoaded() {
        ChatTemplateException e = assertThrows(ChatTemplateException.class,
                () -> ChatTemplate.of("{% for m in messages %}{{ m.content }}", null, null));
        assertTrue(e.getMessage().startsWith("chat template of inline template cannot render"), e.getMessage());
    }

    @Test
    void modelWithoutTemplateFallsBackToPlainText(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve(TokenizerConfig.FILE), "{\"bos_token\": {\"content\": \"<s>\"}, \"eos_token\": \"</s>\"}");
        ChatTemplate template = ChatTemplate.load(dir);
        assertTrue(template.isFallback());
        assertEquals("<s>What is x?\n\nx is 1.", template.render(user("What is x?\n\nx is 1.")));
        Files.delete(dir.resolve(TokenizerConfig.FILE));
        assertEquals("plain", ChatTemplate.load(dir).render(user("plain")));
    }

    @Test
    void findsTemplatesWhereTransformersSavesThem(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve(TokenizerConfig.FILE), "{\"chat_template\": ["
                + "{\"name\": \"tool_use\", \"template\": \"T{{ messages[0].content }}\"},"
                + "{\"name\": \"default\", \"template\": \"D{{ messages[0].content }}\"}]}");
        assertEquals("Dx", ChatTemplate.load(dir).render(user("x")));
        Files.writeString(dir.resolve(TokenizerConfig.TEMPLATE_FILE), "J{{ messages[0].content }}\n");
        assertEquals("Jx", ChatTemplate.load(dir).render(user("x")), "chat_template.jinja wins; final newline dropped");
        assertEquals(Optional.of("J{{ messages[0].content }}\n"), TokenizerConfig.read(dir).chatTemplate());
    }

    @Test
    void trimIsPythonsStripIncludingUnicodeSpaces() {
        ChatTemplate template = ChatTemplate.of("[{{ messages[0].content | trim }}]", null, null);
        assertEquals("[a\u00a0b]", template.render(user("\u00a0\u202f\u2007\u3000\u0085 a\u00a0b\t\u2028\u00a0")));
        assertEquals("[x]", ChatTemplate.of("[{{ messages[0].content.strip() }}]", null, null).render(user("\u3000x\u202f")));
    }

    @Test
    void slicesWithStepsAndKeywordArgumentsParseLikePython() {
        ChatTemplate template = ChatTemplate.of("{% set ns = namespace(last=messages|length - 1) %}{{ ns.last }}|"
                + "{% for m in messages[::-1] %}{{ m.content }}{% endfor %}|{{ messages[1:][0].content }}|"
                + "{{ 'abcdef'[::2] }}{{ 'abcdef'[-2:] }}{{ 'abcdef'[4:1:-1] }}|{{ [1, 2, 3, 4][1::2] | length }}"
                + "{{ {'k': [1, 2][::-1]}['k'][0] }}", null, null);
        assertEquals("2|cba|b|aceefedc|22", template.render(List.of(ChatMessage.user("a"),
                ChatMessage.assistant("b"), ChatMessage.user("c"))));
        assertEquals(List.of(4, 3, 2), java.util.Arrays.stream(PythonSlice.indices(5, null, 1, -1)).boxed().toList());
        assertEquals(List.of(), java.util.Arrays.stream(PythonSlice.indices(5, 3, 1, 1)).boxed().toList());
    }

    @Test
    void plusIsPythonsAndMissingTokensAreUndefined() {
        ChatTemplate defined = ChatTemplate.of("{{ bos_token is defined }} {{ eos_token is defined }}", null, "</s>");
        assertEquals("false true", defined.render(user("x")));
        ChatTemplate plus = ChatTemplate.of("{{ 'a' + messages[0].content }}{{ [1] + [2] }}{{ 1 + 2 }}", null, null);
        assertEquals("ax[1, 2]3", plus.render(user("x")));
        ChatTemplate noBos = ChatTemplate.of("{% if messages[0].content == 'bos' %}{{ bos_token + 'x' }}{% endif %}", null, null);
        ChatTemplateException e = assertThrows(ChatTemplateException.class, () -> noBos.render(user("bos")));
        assertTrue(e.getMessage().contains("unsupported operand type(s) for +: 'NoneType' and 'str'"), e.getMessage());
    }

    @Test
    void contentPartsReachTemplatesAsListsAndAreNeverRenderedAsText() {
        List<ChatMessage> parts = List.of(ChatMessage.ofParts(Role.USER,
                List.of(ContentPart.text(" a "), ContentPart.text("b"))));
        ChatTemplate joins = ChatTemplate.of("{% for p in messages[0].content %}{{ p.text | trim }}{% endfor %}"
                + "{{ messages[0].content is string }}", null, null);
        assertEquals("abfalse", joins.render(parts));
        for (String asText : List.of("{{ messages[0].content }}", "{{ messages[0].content | trim }}",
                "{{ 'x' + messages[0].content }}", "{{ messages[0].content + 'x' }}", "{{ messages[0].content.strip() }}")) {
            ChatTemplate template = ChatTemplate.of(asText + "{% if false %}{% endif %}", null, null);
            ChatTemplateException e = assertThrows(ChatTemplateException.class, () -> template.render(parts), asText);
            assertTrue(e.getMessage().contains("content is a list of parts"), asText + ": " + e.getMessage());
        }
        assertThrows(ChatTemplateException.class, () -> ChatTemplate.load(Path.of("/nonexistent")).render(parts));
    }

    @Test
    void aScopeRendersEveryConversationAsASingleRenderDoesAndNothingLeaksBetweenThem() {
        List<List<ChatMessage>> chats = List.of(user("Hi"), user("  Where is Ana?\n"),
                List.of(new ChatMessage(Role.SYSTEM, " Be terse. "), ChatMessage.user("Hi")),
                List.of(ChatMessage.user("Hi"), new ChatMessage(Role.ASSISTANT, "Hello."), ChatMessage.user("Bye")));
        for (String source : List.of(LLAMA_3, LLAMA_3_1, QWEN_2, QWEN_2_5, MISTRAL)) {
            ChatTemplate template = ChatTemplate.of(source, "<s>", "</s>");
            ChatTemplate.Scope scope = template.scope();
            for (int round = 0; round < 2; round++) {
                for (List<ChatMessage> chat : chats) {
                    if (source.equals(MISTRAL) && chat.get(0).role() == Role.SYSTEM) {
                        continue; // Mistral's template refuses a system turn (below: refusals)
                    }
                    assertEquals(template.render(chat), scope.render(chat), source);
                    assertEquals(template.render(chat, false), scope.render(chat, false), source);
                }
            }
        }
        // A variable set at the top of one render is not defined in the next.
        ChatTemplate setter = ChatTemplate.of(
                "{% if seen is defined %}seen before {% endif %}{% set seen = 1 %}{{ messages[0]['content'] }}", null, null);
        ChatTemplate.Scope scope = setter.scope();
        assertEquals("a", scope.render(user("a")));
        assertEquals("b", scope.render(user("b")));
        // A failing render fails as a single render does, and the scope renders on afterwards.
        ChatTemplate mistral = ChatTemplate.of(MISTRAL, "<s>", "</s>");
        ChatTemplate.Scope mistralScope = mistral.scope();
        ChatTemplateException e = assertThrows(ChatTemplateException.class,
                () -> mistralScope.render(List.of(ChatMessage.user("a"), ChatMessage.user("b"))));
        assertEquals("chat template raised: Conversation roles must alternate user/assistant/user/assistant/...",
                e.getMessage());
        assertEquals(mistral.render(user("Hi")), mistralScope.render(user("Hi")));
    }
}
