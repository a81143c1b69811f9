package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.testing.Fixtures;
import dev.nbce.gateway.request.Json;
import dev.nbce.common.testing.StartsCluster;
import dev.nbce.common.testing.StartsProcesses;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Real clients against a live cluster: the official {@code openai} npm SDK and LangChain JS's
 * {@code ChatOpenAI} (pinned in launcher/src/test/openai-clients, installed by .ci/run with npm ci) run
 * launcher/src/test/openai-clients/clients.test.mjs against a loopback cluster with tiny-llama. The
 * answers they must give come from the reference (ids) and the native endpoint (texts). Without
 * node_modules the test fails saying so; it is never skipped.
 */
@StartsCluster
@StartsProcesses
class OpenAiClientsTest {
    private static final Path CLIENTS = Fixtures.repositoryRoot().resolve("launcher/src/test/openai-clients");

    @Test
    void officialSdkAndLangChainSpeakToTheGateway() throws Exception {
        assertTrue(Files.isDirectory(CLIENTS.resolve("node_modules/openai"))
                        && Files.isDirectory(CLIENTS.resolve("node_modules/@langchain/openai")),
                "openai / @langchain/openai missing in " + CLIENTS + ": run .ci/run once, or npm ci there");
        try (TestCluster cluster = new TestCluster(Fixtures.tinyLlama(), "tiny-llama", 1, Map.of())) {
            Path cases = Path.of("target/openai-client-cases.json").toAbsolutePath();
            Files.createDirectories(cases.getParent());
            Files.writeString(cases, cases(cluster).toString());
            Process node = new ProcessBuilder(List.of("node", "clients.test.mjs", "--url", cluster.baseUrl(),
                    "--cases", cases.toString())).directory(CLIENTS.toFile()).redirectErrorStream(true).start();
            boolean exited = node.waitFor(240, TimeUnit.SECONDS);
            String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            System.out.println(output);
            assertTrue(exited, "client tests timed out:\n" + output);
            assertEquals(0, node.exitValue(), output);
            assertTrue(output.contains(" 0 failed") && output.contains("19 passed"), output);
        }
    }

    /** What the clients must get: reference ids, and texts and counts from the native endpoint. */
    private static ObjectNode cases(TestCluster cluster) throws Exception {
        JsonNode c = Fixtures.tinyLlamaReference().get("nbce").get(0);
        ObjectNode nativeRequest = ClusterExactnessTest.requestJson(c);
        JsonNode generated = ClusterExactnessTest.postGenerate(cluster.baseUrl(), nativeRequest);
        assertEquals(c.get("generated_ids"), generated.get("token_ids"), "the native endpoint reproduces the reference");

        ObjectNode out = Json.MAPPER.createObjectNode().put("model", "tiny-llama");
        ObjectNode reference = out.putObject("reference");
        ObjectNode request = reference.putObject("request");
        request.putArray("messages").addObject().put("role", "user").put("content", c.get("question").asText());
        request.set("contexts", c.get("contexts"));
        request.set("max_tokens", nativeRequest.get("max_new_tokens"));
        request.set("top_p", nativeRequest.get("top_p"));
        request.put("temperature", 0);
        request.set("nbce", nativeRequest.get("nbce"));
        reference.set("ids", c.get("generated_ids"));
        reference.set("text", generated.get("text"));
        reference.set("prompt_tokens", generated.get("usage").get("prompt_tokens"));

        ObjectNode conversation = out.putObject("conversation").put("max_tokens", 4);
        ArrayNode messages = conversation.putArray("messages");
        messages.addObject().put("role", "system").put("content", "Answer briefly.");
        messages.addObject().put("role", "user").put("content", "Who has a rabbit?");
        messages.addObject().put("role", "assistant").put("content", "Jack Baker.");
        messages.addObject().put("role", "user").put("content", "And a hamster?");
        conversation.putArray("contexts").add("Lucas Garcia has a pet hamster.").add("Jack Baker has a pet rabbit.");
        ObjectNode conversationRequest = Json.MAPPER.createObjectNode().put("max_new_tokens", 4);
        conversationRequest.set("messages", messages);
        conversationRequest.set("contexts", conversation.get("contexts"));
        JsonNode conversationResult = ClusterExactnessTest.postGenerate(cluster.baseUrl(), conversationRequest);
        conversation.set("ids", conversationResult.get("token_ids"));
        conversation.set("text", conversationResult.get("text"));
        conversation.set("prompt_tokens", conversationResult.get("usage").get("prompt_tokens"));

        JsonNode questionOnly = ClusterExactnessTest.postGenerate(cluster.baseUrl(), Json.MAPPER.createObjectNode()
                .put("question", c.get("question").asText()).put("max_new_tokens", 8));
        out.putObject("completion").put("prompt", c.get("row_texts").get(0).asText()).put("max_tokens", 8)
                .set("ids", questionOnly.get("token_ids"));
        ((ObjectNode) out.get("completion")).set("text", questionOnly.get("text"));
        return out;
    }
}
