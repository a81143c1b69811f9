package dev.nbce.gateway.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nbce.common.error.InvalidRequestException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The native request's "messages" and "prompt" forms, and the output options, strictly typed. */
class RequestMessagesParserTest {
    @Test
    void messagesBesideQuestion() {
        GenerationRequest r = RequestParser.parse("{\"messages\":[{\"role\":\"system\",\"content\":\"s\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"text\",\"text\":\"b\"}]}],"
                + "\"presence_penalty\":0.5,\"logprobs\":3}");
        assertEquals(List.of(RequestMessage.of(Role.SYSTEM, "s"), new RequestMessage(Role.USER, null, List.of("a", "b"))),
                r.conversation());
        assertEquals(new OutputOptions(0.5, 0, 3), r.output());
        assertEquals(List.of(RequestMessage.of(Role.USER, "q")), RequestParser.parse("{\"question\":\"q\"}").conversation());
        assertEquals("raw", RequestParser.parse("{\"prompt\":\"raw\"}").prompt());
    }

    @Test
    void wrongShapesNameTheField() {
        String[][] cases = {
                {"{\"question\":\"q\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}", "question"},
                {"{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"prompt\":\"p\"}", "question"},
                {"{\"messages\":[{\"role\":\"bot\",\"content\":\"q\"}]}", "messages[0].role"},
                {"{\"messages\":[{\"role\":\"user\",\"content\":5}]}", "messages[0].content"},
                {"{\"messages\":[{\"role\":\"user\",\"content\":\"q\",\"name\":\"x\"}]}", "messages[0].name"},
                {"{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]}", "messages[0].content[0].type"},
                {"{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\"}]}]}", "messages[0].content[0].text"},
                {"{\"messages\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"a\"}]}", "messages"},
                {"{\"messages\":[]}", "messages"},
                {"{\"question\":\"q\",\"logprobs\":true}", "logprobs"},
                {"{\"question\":\"q\",\"logprobs\":21}", "logprobs"},
                {"{\"question\":\"q\",\"presence_penalty\":2.5}", "presence_penalty"},
                {"{\"question\":\"q\",\"frequency_penalty\":\"1\"}", "frequency_penalty"}};
        for (String[] c : cases) {
            InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> RequestParser.parse(c[0]), c[0]);
            assertEquals(c[1], e.field(), c[0] + ": " + e.getMessage());
        }
    }
}
