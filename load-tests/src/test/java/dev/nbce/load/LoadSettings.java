package dev.nbce.load;

/**
 * Run settings read from system properties (-Dname=value), so one simulation class serves a
 * smoke run in CI and a longer measurement alike.
 */
public record LoadSettings(
    String baseUrl,
    int users,
    int rampSeconds,
    int durationSeconds,
    int windows,
    int questions,
    int maxNewTokens,
    int p95Ms,
    int answerTimeoutSeconds,
    long seed,
    String apiKey) {

  public LoadSettings {
    if (baseUrl == null || baseUrl.isBlank()) throw new IllegalArgumentException("baseUrl is blank");
    if (users < 1) throw new IllegalArgumentException("users must be >= 1: " + users);
    if (rampSeconds < 0) throw new IllegalArgumentException("rampSeconds must be >= 0: " + rampSeconds);
    if (durationSeconds < 1) throw new IllegalArgumentException("durationSeconds must be >= 1: " + durationSeconds);
    if (windows < 1) throw new IllegalArgumentException("windows must be >= 1: " + windows);
    if (questions < 1) throw new IllegalArgumentException("questions must be >= 1: " + questions);
    if (maxNewTokens < 1) throw new IllegalArgumentException("maxNewTokens must be >= 1: " + maxNewTokens);
    if (p95Ms < 1) throw new IllegalArgumentException("p95Ms must be >= 1: " + p95Ms);
    if (answerTimeoutSeconds < 1) throw new IllegalArgumentException("answerTimeoutSeconds must be >= 1");
    baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
  }

  public static LoadSettings fromSystemProperties() {
    return new LoadSettings(
        System.getProperty("baseUrl", "http://127.0.0.1:8080"),
        Integer.getInteger("users", 4),
        Integer.getInteger("rampSeconds", 5),
        Integer.getInteger("durationSeconds", 30),
        Integer.getInteger("windows", 4),
        Integer.getInteger("questions", 3),
        Integer.getInteger("maxNewTokens", 8),
        Integer.getInteger("p95Ms", 30_000),
        Integer.getInteger("answerTimeoutSeconds", 120),
        Long.getLong("seed", 42L),
        System.getProperty("apiKey"));
  }

  /** ws://host:port for an http://host:port base (wss for https). */
  public String wsBaseUrl() {
    return baseUrl.replaceFirst("^http", "ws");
  }

  public boolean hasApiKey() {
    return apiKey != null;
  }

  @Override
  public String toString() {
    // Never print the key itself.
    return "LoadSettings[baseUrl=%s, users=%d, rampSeconds=%d, durationSeconds=%d, windows=%d, questions=%d, maxNewTokens=%d, p95Ms=%d, apiKey=%s]"
        .formatted(baseUrl, users, rampSeconds, durationSeconds, windows, questions, maxNewTokens, p95Ms,
            hasApiKey() ? "set" : "unset");
  }
}
