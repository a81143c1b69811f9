package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nbce.common.testing.Http;
import java.net.http.HttpResponse;

/** The Prometheus text a gateway or worker serves on /metrics, as the tests read it. */
final class PrometheusScrape {
    private PrometheusScrape() {}

    /** The body of {@code url}, which must answer 200. */
    static String fetch(String url) throws Exception {
        HttpResponse<String> response = Http.get(url);
        assertEquals(200, response.statusCode(), url);
        return response.body();
    }

    /** The sum of meter {@code name}'s samples (lines {@code name value} and {@code name{...} value}); 0 when it has none. */
    static double sum(String scrape, String name) {
        return scrape.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /** As {@link #sum}, but the scrape must have a sample of {@code name}. */
    static double required(String scrape, String name) {
        if (scrape.lines().noneMatch(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))) {
            throw new AssertionError("no " + name + " in\n" + scrape);
        }
        return sum(scrape, name);
    }
}
