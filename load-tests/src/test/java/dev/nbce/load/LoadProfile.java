package dev.nbce.load;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.ClosedInjectionStep;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;
import java.util.List;

/** What every simulation shares: the protocol, a time-bounded injection and the pass criteria. */
final class LoadProfile {
  private LoadProfile() {}

  static HttpProtocolBuilder protocol(LoadSettings settings) {
    HttpProtocolBuilder protocol = http
        .baseUrl(settings.baseUrl())
        .wsBaseUrl(settings.wsBaseUrl())
        .acceptHeader("application/json, text/event-stream")
        .contentTypeHeader("application/json")
        .userAgentHeader("nbce-load-tests/gatling");
    return settings.hasApiKey() ? protocol.authorizationHeader("Bearer " + settings.apiKey()) : protocol;
  }

  /**
   * Closed model: ramp to {@code users} concurrent users, then hold them for {@code durationSeconds};
   * a user that finishes its questions is replaced by a fresh one until the time is up.
   */
  static List<ClosedInjectionStep> injection(LoadSettings settings) {
    return List.of(
        rampConcurrentUsers(0).to(settings.users()).during(Duration.ofSeconds(Math.max(1, settings.rampSeconds()))),
        constantConcurrentUsers(settings.users()).during(Duration.ofSeconds(settings.durationSeconds())));
  }

  /** Hard stop: injection time plus one full answer's timeout for the users still in flight. */
  static Duration maxDuration(LoadSettings settings) {
    return Duration.ofSeconds(settings.rampSeconds() + settings.durationSeconds()
        + (long) settings.answerTimeoutSeconds() * settings.questions() + 30);
  }

  /**
   * No failed request at all, and the 95th percentile of every full-answer request under p95Ms
   * (a global percentile would be diluted by near-zero connect/send timings).
   */
  static List<Assertion> assertions(LoadSettings settings, String... answerRequests) {
    List<Assertion> assertions = new java.util.ArrayList<>();
    assertions.add(global().failedRequests().count().is(0L));
    for (String request : answerRequests) {
      assertions.add(details(request).responseTime().percentile(95.0).lt(settings.p95Ms()));
    }
    return assertions;
  }

  /** "text/event-stream; charset=utf-8" → "text/event-stream". */
  static String mediaType(String contentType) {
    return contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
  }

  static Duration answerTimeout(LoadSettings settings) {
    return Duration.ofSeconds(settings.answerTimeoutSeconds());
  }
}
