package dev.nbce.load;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Endless Gatling feeder of ready-made request bodies for every API, from one seeded
 * {@link FactWorld}: the same seed replays the same prompts in the same order.
 *
 * <p>Keys: requestId, question, answer, answerWindow, wsGenerate (a whole /v1/ws frame),
 * generateBody (/v1/generate, streaming), chatBody and chatStreamBody (/v1/chat/completions).
 */
public final class PromptFeeder implements Iterator<Map<String, Object>> {
  private final FactWorld world;
  private final int windows;
  private final int maxNewTokens;
  private final AtomicLong sequence = new AtomicLong();

  public PromptFeeder(LoadSettings settings) {
    this(settings.seed(), settings.windows(), settings.maxNewTokens());
  }

  public PromptFeeder(long seed, int windows, int maxNewTokens) {
    if (windows < 1 || maxNewTokens < 1) throw new IllegalArgumentException("windows and maxNewTokens must be >= 1");
    this.world = new FactWorld(seed);
    this.windows = windows;
    this.maxNewTokens = maxNewTokens;
  }

  @Override
  public boolean hasNext() {
    return true;
  }

  @Override
  public Map<String, Object> next() {
    FactWorld.Prompt prompt = world.next(windows);
    String requestId = "q" + sequence.incrementAndGet();
    String contexts = Json.strings(prompt.contexts());
    String question = Json.string(prompt.question());
    String generateRequest =
        "{\"contexts\":" + contexts + ",\"question\":" + question + ",\"max_new_tokens\":" + maxNewTokens;
    String messages = "[{\"role\":\"user\",\"content\":" + question + "}]";
    String chatRequest =
        "{\"messages\":" + messages + ",\"contexts\":" + contexts + ",\"max_tokens\":" + maxNewTokens;
    return Map.of(
        "requestId", requestId,
        "question", prompt.question(),
        "answer", prompt.answer(),
        "answerWindow", prompt.answerWindow(),
        "wsGenerate", "{\"type\":\"generate\",\"id\":\"" + requestId + "\",\"request\":" + generateRequest + "}}",
        "generateBody", generateRequest + ",\"stream\":true}",
        "chatBody", chatRequest + ",\"stream\":false}",
        "chatStreamBody", chatRequest + ",\"stream\":true}");
  }
}
