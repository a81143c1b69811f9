package dev.nbce.load;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

/**
 * OpenAI-compatible POST /v1/chat/completions, each question asked twice: once as one
 * chat.completion JSON ("openai chat") and once streamed as {@code data:} chunks ending
 * {@code data: [DONE]} ("openai chat stream").
 */
public class OpenAiChatSimulation extends Simulation {
  private final LoadSettings settings = LoadSettings.fromSystemProperties();

  {
    System.out.println("OpenAiChatSimulation " + settings);
    PromptFeeder prompts = new PromptFeeder(settings);

    ScenarioBuilder chat = scenario("openai chat completions")
        .repeat(settings.questions()).on(
            feed(prompts)
                .exec(http("openai chat")
                    .post("/v1/chat/completions")
                    .body(StringBody("#{chatBody}"))
                    .requestTimeout(LoadProfile.answerTimeout(settings))
                    .check(
                        status().is(200),
                        jsonPath("$.object").is("chat.completion"),
                        jsonPath("$.choices[0].message.role").is("assistant"),
                        jsonPath("$.choices[0].message.content").exists(),
                        jsonPath("$.choices[0].finish_reason").exists()))
                .exec(http("openai chat stream")
                    .post("/v1/chat/completions")
                    .body(StringBody("#{chatStreamBody}"))
                    .requestTimeout(LoadProfile.answerTimeout(settings))
                    .check(
                        status().is(200),
                        header("Content-Type").transform(LoadProfile::mediaType).is("text/event-stream"),
                        substring("chat.completion.chunk").exists(),
                        substring("data: [DONE]").exists(),
                        substring("\"error\"").notExists())));

    setUp(chat.injectClosed(LoadProfile.injection(settings)))
        .protocols(LoadProfile.protocol(settings))
        .maxDuration(LoadProfile.maxDuration(settings))
        .assertions(LoadProfile.assertions(settings, "openai chat", "openai chat stream"));
  }
}
