package dev.nbce.gateway.prompt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.gateway.request.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every case of {@code tokenizers/reference.json} (Llama 3.1, Qwen3, Gemma 3, rendered by Python jinja2
 * as transformers does and encoded by the Rust tokenizers) through this gateway's own chat template and
 * tokenizer: the text exactly, the ids exactly, and a refusal wherever the reference raises or is
 * Python-only.
 */
class RealTokenizerReferenceTest {

    private static final JsonNode REFERENCE = RealTokenizers.reference();
    private static final Map<String, ModelTokenizer> TOKENIZERS = new LinkedHashMap<>();
    /** One scope per model for all its cases in turn, as a request's rows share one. */
    private static final Map<String, ChatTemplate.Scope> SCOPES = new LinkedHashMap<>();

    @AfterAll
    static void close() {
        TOKENIZERS.values().forEach(ModelTokenizer::close);
    }

    @Test
    void referenceCoversTheThreeFamiliesAndEveryKind() {
        assertEquals(List.of("llama3_1", "qwen3", "gemma3"), names(REFERENCE.get("models")));
        int cases = 0;
        for (JsonNode model : REFERENCE.get("models")) {
            cases += model.get("cases").size();
        }
        assertEquals(57, cases);
    }

    @TestFactory
    Stream<DynamicNode> everyCaseOfEveryModel() {
        List<DynamicNode> models = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = REFERENCE.get("models").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String key = entry.getKey();
            JsonNode model = entry.getValue();
            List<DynamicNode> cases = new ArrayList<>();
            cases.add(DynamicTest.dynamicTest("files and template are the referenced ones", () -> {
                Path dir = RealTokenizers.modelDirectory(model);
                TokenizerConfig config = TokenizerConfig.read(dir);
                assertEquals(model.get("chat_template").asText(), config.chatTemplate().orElseThrow());
                assertEquals(expectedTokenVariables(model), config.specialTokens());
                for (Object token : config.specialTokens().values()) {
                    for (Object text : token instanceof List<?> many ? many : List.of(token)) {
                        int[] ids = tokenizer(key, dir).encode((String) text);
                        assertEquals(1, ids.length, text + " is one token");
                        assertEquals(java.util.OptionalInt.of(ids[0]), tokenizer(key, dir).tokenId((String) text));
                    }
                }
            }));
            for (JsonNode c : model.get("cases")) {
                cases.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> check(key, model, c)));
            }
            models.add(DynamicContainer.dynamicContainer(key, cases));
        }
        return models.stream();
    }

    private static void check(String key, JsonNode model, JsonNode c) throws IOException {
        Path dir = RealTokenizers.modelDirectory(model);
        ChatTemplate template = ChatTemplate.of(TokenizerConfig.read(dir), dir.toString());
        List<ChatMessage> messages = messages(c.get("messages"));
        assertTrue(c.get("add_generation_prompt").asBoolean());
        ChatTemplate.Scope scope = SCOPES.computeIfAbsent(key, k -> template.scope());
        if (c.has("raises")) {
            ChatTemplateException refused = assertThrows(ChatTemplateException.class, () -> template.render(messages));
            assertEquals(refused.getMessage(),
                    assertThrows(ChatTemplateException.class, () -> scope.render(messages)).getMessage(), "in a scope");
            assertInstanceOf(IllegalArgumentException.class, refused, "a client error (400), never a 500");
            if (c.get("raised_by").asText().equals("raise_exception")) {
                TemplateRaisedException raised = assertInstanceOf(TemplateRaisedException.class, refused);
                assertEquals(c.get("raises").asText(), raised.templateMessage());
            } else {
                assertContentPartsRefused(c, refused);
            }
            return;
        }
        if (c.has("python_specific")) {
            // Python renders str() of the list; this gateway refuses rather than send that to the model.
            assertContentPartsRefused(c, assertThrows(ChatTemplateException.class, () -> template.render(messages)));
            return;
        }
        String text = template.render(messages);
        assertEquals(c.get("text").asText(), text);
        assertEquals(text, scope.render(messages), "in the model's scope, after its earlier cases");
        assertArrayEquals(Fixtures.ints(c.get("input_ids")), tokenizer(key, dir).encode(text));
        if (c.has("nbce")) {
            assertEquals(text, nbceRow(template, c.get("nbce")), "the row RowRenderer builds");
        }
    }

    /** The same text through RowRenderer from the case's question and context. */
    private static String nbceRow(ChatTemplate template, JsonNode nbce) {
        RowRenderer rows = new RowRenderer(template);
        String question = nbce.get("question").asText();
        return nbce.get("context").isNull() ? rows.noContextRow(question)
                : rows.contextRow(question, nbce.get("context").asText());
    }

    private static void assertContentPartsRefused(JsonNode c, ChatTemplateException refused) {
        assertEquals("parts", c.get("kind").asText(), "only list content is refused: " + refused.getMessage());
        assertTrue(refused.getMessage().contains("content is a list of parts"), refused.getMessage());
    }

    private static Map<String, Object> expectedTokenVariables(JsonNode model) {
        Map<String, Object> expected = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = model.get("template_variables").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> v = it.next();
            if (v.getKey().equals("add_generation_prompt") || v.getKey().equals("tools")
                    || v.getKey().equals("documents")) {
                continue;
            }
            expected.put(v.getKey(), v.getValue().isArray() ? Fixtures.strings(v.getValue()) : v.getValue().asText());
        }
        return expected;
    }

    static List<ChatMessage> messages(JsonNode array) {
        List<ChatMessage> messages = new ArrayList<>();
        for (JsonNode m : array) {
            JsonNode content = m.get("content");
            if (content.isTextual()) {
                messages.add(new ChatMessage(Role.byWireName(m.get("role").asText()).orElseThrow(), content.asText()));
            } else {
                List<ContentPart> parts = new ArrayList<>();
                content.forEach(p -> parts.add(new ContentPart(p.get("type").asText(), p.get("text").asText())));
                messages.add(ChatMessage.ofParts(Role.byWireName(m.get("role").asText()).orElseThrow(), parts));
            }
        }
        return messages;
    }

    private static synchronized ModelTokenizer tokenizer(String key, Path dir) {
        return TOKENIZERS.computeIfAbsent(key, k -> {
            try {
                return ModelTokenizer.load(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
