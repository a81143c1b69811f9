package dev.nbce.load;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

/**
 * POST /v1/generate with stream=true: the response time is the whole server-sent event stream,
 * which must end with {@code event: done} and carry no {@code event: error}.
 */
public class SseGenerateSimulation extends Simulation {
  private final LoadSettings settings = LoadSettings.fromSystemProperties();

  {
    System.out.println("SseGenerateSimulation " + settings);
    PromptFeeder prompts = new PromptFeeder(settings);

    ScenarioBuilder generate = scenario("generate over sse")
        .repeat(settings.questions()).on(
            feed(prompts)
                .exec(http("sse generate")
                    .post("/v1/generate")
                    .body(StringBody("#{generateBody}"))
                    .requestTimeout(LoadProfile.answerTimeout(settings))
                    .check(
                        status().is(200),
                        header("Content-Type").transform(LoadProfile::mediaType).is("text/event-stream"),
                        substring("event: token").exists(),
                        substring("event: done").exists(),
                        substring("event: error").notExists())));

    setUp(generate.injectClosed(LoadProfile.injection(settings)))
        .protocols(LoadProfile.protocol(settings))
        .maxDuration(LoadProfile.maxDuration(settings))
        .assertions(LoadProfile.assertions(settings, "sse generate"));
  }
}
