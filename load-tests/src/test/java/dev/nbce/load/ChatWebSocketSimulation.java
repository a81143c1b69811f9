package dev.nbce.load;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

/**
 * Chat over /v1/ws: each user opens one socket and asks {@code questions} questions one after
 * another. Per question two timings are reported: "ws ttft" (send → first token frame) and
 * "ws answer" (send → done frame). An error frame for the question's id fails it.
 */
public class ChatWebSocketSimulation extends Simulation {
  private final LoadSettings settings = LoadSettings.fromSystemProperties();

  {
    System.out.println("ChatWebSocketSimulation " + settings);
    PromptFeeder prompts = new PromptFeeder(settings);

    ScenarioBuilder chat = scenario("chat over websocket")
        .exec(ws("ws connect").connect("/v1/ws"))
        .repeat(settings.questions()).on(
            feed(prompts)
                .exec(ws("ws generate")
                    .sendText("#{wsGenerate}")
                    .await(LoadProfile.answerTimeout(settings)).on(
                        // First frame for this id: must be a token (an error frame fails here).
                        ws.checkTextMessage("ws ttft")
                            .matching(jsonPath("$.id").isEL("#{requestId}"))
                            .check(jsonPath("$.type").is("token")),
                        // Later token frames are skipped; the final frame must be done, not error.
                        ws.checkTextMessage("ws answer")
                            .matching(jsonPath("$.id").isEL("#{requestId}"), jsonPath("$.type").in("done", "error"))
                            .check(jsonPath("$.type").is("done"), jsonPath("$.result").exists()))))
        .exec(ws("ws close").close());

    setUp(chat.injectClosed(LoadProfile.injection(settings)))
        .protocols(LoadProfile.protocol(settings))
        .maxDuration(LoadProfile.maxDuration(settings))
        .assertions(LoadProfile.assertions(settings, "ws answer"));
  }
}
