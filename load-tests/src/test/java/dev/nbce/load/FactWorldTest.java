package dev.nbce.load;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class FactWorldTest {
  private static final Pattern QUESTION_NAME =
      Pattern.compile("(?:of|does) ([A-Z][a-z]+ [A-Z][a-z]+)");

  @Test
  void sameSeedGivesSamePrompts() {
    FactWorld a = new FactWorld(7);
    FactWorld b = new FactWorld(7);
    for (int i = 0; i < 20; i++) {
      assertEquals(a.next(4), b.next(4));
    }
    assertNotEquals(new FactWorld(7).next(4), new FactWorld(8).next(4));
  }

  @Test
  void windowsHoldSixFactsAndTheAnswerLivesInExactlyOneOfThem() {
    FactWorld world = new FactWorld(42);
    for (int i = 0; i < 200; i++) {
      FactWorld.Prompt prompt = world.next(8);
      assertEquals(8, prompt.contexts().size());
      Matcher m = QUESTION_NAME.matcher(prompt.question());
      assertTrue(m.find(), prompt.question());
      String name = m.group(1);
      for (int w = 0; w < prompt.contexts().size(); w++) {
        String window = prompt.contexts().get(w);
        assertEquals(FactWorld.FACTS_PER_WINDOW, window.split("(?<=\\.) ").length, window);
        assertEquals(w == prompt.answerWindow(), window.contains(name + " ") || window.contains(name + "."),
            "name " + name + " in window " + w + ": " + window);
      }
      String fact = sentenceAbout(prompt.contexts().get(prompt.answerWindow()), name);
      assertTrue(fact.contains(prompt.answer()), fact + " should state " + prompt.answer());
    }
  }

  @Test
  void feederBuildsValidRequestBodiesWithUniqueIds() {
    PromptFeeder feeder = new PromptFeeder(1, 2, 8);
    Map<String, Object> first = feeder.next();
    Map<String, Object> second = feeder.next();
    assertNotEquals(first.get("requestId"), second.get("requestId"));
    String ws = (String) first.get("wsGenerate");
    assertTrue(ws.startsWith("{\"type\":\"generate\",\"id\":\"" + first.get("requestId") + "\",\"request\":{\"contexts\":["), ws);
    assertTrue(ws.endsWith("\"max_new_tokens\":8}}"), ws);
    assertTrue(((String) first.get("generateBody")).endsWith(",\"stream\":true}"));
    assertTrue(((String) first.get("chatBody")).contains("\"max_tokens\":8,\"stream\":false}"));
    assertTrue(((String) first.get("chatStreamBody")).startsWith("{\"messages\":[{\"role\":\"user\",\"content\":\""));
  }

  @Test
  void jsonStringsAreEscaped() {
    assertEquals("\"a\\\"b\\\\c\\nd\\u0001\"", Json.string("a\"b\\c\nd\u0001"));
    assertEquals("[\"x\",\"y\"]", Json.strings(List.of("x", "y")));
  }

  private static String sentenceAbout(String window, String name) {
    for (String sentence : window.split("(?<=\\.) ")) {
      if (sentence.contains(name)) return sentence;
    }
    return fail("no sentence about " + name + " in " + window);
  }
}
