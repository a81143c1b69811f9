package dev.nbce.common.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The tests' HTTP client (java.net.http): GETs and JSON POSTs with optional headers, answered as text.
 * Status and body checks stay in the tests.
 */
public final class Http {
    /** HTTP/1.1 only: the JDK client's h2c upgrade once hung a request to the metrics port for good. */
    public static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private Http() {
    }

    /** A request to {@code url} with {@code headers} as name, value pairs. */
    public static HttpRequest.Builder request(String url, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        if (headers.length % 2 != 0) {
            throw new IllegalArgumentException("headers come as name, value pairs");
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return request;
    }

    /** A POST of {@code body} as application/json. */
    public static HttpRequest.Builder postJsonRequest(String url, String body, String... headers) {
        return request(url, headers).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    }

    public static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public static HttpResponse<String> get(String url, String... headers) throws IOException, InterruptedException {
        return send(request(url, headers));
    }

    public static HttpResponse<String> postJson(String url, String body, String... headers)
            throws IOException, InterruptedException {
        return send(postJsonRequest(url, body, headers));
    }

    public static CompletableFuture<HttpResponse<String>> postJsonAsync(String url, String body, String... headers) {
        return CLIENT.sendAsync(postJsonRequest(url, body, headers).build(), HttpResponse.BodyHandlers.ofString());
    }
}
