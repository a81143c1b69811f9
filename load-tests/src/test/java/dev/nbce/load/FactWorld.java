package dev.nbce.load;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Seeded generator of fact windows and one question about a fact in one of them: the shape of
 * a realistic NBCE request (k independent contexts, the answer lives in exactly one).
 */
public final class FactWorld {

  /** One request: the context windows and a question answered by {@code answer}. */
  public record Prompt(List<String> contexts, String question, String answer, int answerWindow) {
    public Prompt {
      contexts = List.copyOf(contexts);
      if (contexts.isEmpty()) throw new IllegalArgumentException("no contexts");
      if (question == null || question.isBlank()) throw new IllegalArgumentException("blank question");
      if (answerWindow < 0 || answerWindow >= contexts.size()) {
        throw new IllegalArgumentException("answerWindow out of range: " + answerWindow);
      }
    }
  }

  static final int FACTS_PER_WINDOW = 6;

  private static final String[] FIRST = {
    "Ana", "Bruno", "Mira", "Theo", "Lena", "Omar", "Ivy", "Jonas", "Kira", "Luca", "Nora", "Pavel",
    "Rosa", "Sami", "Tara", "Umar", "Vera", "Wim", "Yara", "Zeno", "Elif", "Farid", "Greta", "Hugo"
  };
  private static final String[] LAST = {
    "Berg", "Kim", "Kaur", "Park", "Fischer", "Diaz", "Novak", "Silva", "Haas", "Moreau", "Ito",
    "Costa", "Lund", "Okafor", "Weber", "Rossi", "Nagy", "Sato", "Brandt", "Quinn"
  };
  private static final String[] CITIES = {
    "Oslo", "Lima", "Porto", "Kyoto", "Quito", "Riga", "Accra", "Perth", "Cork", "Bern", "Dakar", "Hanoi"
  };
  private static final String[] COLORS = {"green", "red", "blue", "yellow", "purple", "orange", "teal", "gray"};
  private static final String[] JOBS = {"pilot", "baker", "nurse", "chemist", "carpenter", "teacher", "lawyer", "farmer"};
  private static final String[] PETS = {"rabbit", "parrot", "cat", "dog", "turtle", "hamster", "goldfish", "ferret"};

  private final Random random;

  public FactWorld(long seed) {
    this.random = new Random(seed);
  }

  /** The next prompt: {@code windows} windows of six facts about distinct people. */
  public synchronized Prompt next(int windows) {
    if (windows < 1) throw new IllegalArgumentException("windows must be >= 1: " + windows);
    List<String> names = distinctNames(windows * FACTS_PER_WINDOW);
    List<String> contexts = new ArrayList<>(windows);
    int answerWindow = random.nextInt(windows);
    int answerFact = random.nextInt(FACTS_PER_WINDOW);
    String question = null;
    String answer = null;
    for (int w = 0; w < windows; w++) {
      StringBuilder window = new StringBuilder();
      for (int f = 0; f < FACTS_PER_WINDOW; f++) {
        Fact fact = fact(names.get(w * FACTS_PER_WINDOW + f));
        if (f > 0) window.append(' ');
        window.append(fact.statement());
        if (w == answerWindow && f == answerFact) {
          question = fact.question();
          answer = fact.answer();
        }
      }
      contexts.add(window.toString());
    }
    return new Prompt(contexts, question, answer, answerWindow);
  }

  private record Fact(String statement, String question, String answer) {}

  private Fact fact(String name) {
    return switch (random.nextInt(5)) {
      case 0 -> {
        String code = String.valueOf(1000 + random.nextInt(9000));
        yield new Fact("The secret code of " + name + " is " + code + ".",
            "What is the secret code of " + name + "?", code);
      }
      case 1 -> {
        String city = pick(CITIES);
        yield new Fact(name + " lives in " + city + ".", "Where does " + name + " live?", city);
      }
      case 2 -> {
        String color = pick(COLORS);
        yield new Fact("The favorite color of " + name + " is " + color + ".",
            "What is the favorite color of " + name + "?", color);
      }
      case 3 -> {
        String job = pick(JOBS);
        yield new Fact(name + " works as a " + job + ".", "What does " + name + " work as?", job);
      }
      default -> {
        String pet = pick(PETS);
        yield new Fact(name + " has a pet " + pet + ".", "What pet does " + name + " have?", pet);
      }
    };
  }

  /** Distinct full names, so every question has exactly one answer across all windows. */
  private List<String> distinctNames(int count) {
    if (count > FIRST.length * LAST.length) throw new IllegalArgumentException("too many facts: " + count);
    Set<String> seen = new HashSet<>();
    List<String> names = new ArrayList<>(count);
    while (names.size() < count) {
      String name = pick(FIRST) + " " + pick(LAST);
      if (seen.add(name)) names.add(name);
    }
    return names;
  }

  private String pick(String[] values) {
    return values[random.nextInt(values.length)];
  }
}
