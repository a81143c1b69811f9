package dev.nbce.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.NbceException;
import dev.nbce.gateway.request.Json;
import dev.nbce.common.testing.Http;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Error responses take status and code from the ErrorCode, and Retry-After from the error's estimate. */
class RetryAfterTest {
    @Test
    void errorsBecomeTheirStatusAndRetryAfterIsTheEstimate() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            Router router = Router.router(vertx);
            router.get("/busy").handler(ctx -> HttpResponses.error(ctx, new NbceException(ErrorCode.OVERLOADED, "busy", 7)));
            router.get("/gone").handler(ctx -> HttpResponses.error(ctx, ErrorCode.NO_WORKERS, "no worker"));
            HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            String base = "http://127.0.0.1:" + server.actualPort();

            HttpResponse<String> busy = Http.get(base + "/busy");
            assertEquals(429, busy.statusCode());
            assertEquals("7", busy.headers().firstValue("Retry-After").orElse(null));
            JsonNode error = Json.MAPPER.readTree(busy.body()).get("error");
            assertEquals("overloaded", error.get("code").asText());
            assertEquals("busy", error.get("message").asText());

            HttpResponse<String> gone = Http.get(base + "/gone");
            assertEquals(503, gone.statusCode());
            assertFalse(gone.headers().firstValue("Retry-After").isPresent(), "no estimate, no header");
            assertEquals("no_workers", Json.MAPPER.readTree(gone.body()).get("error").get("code").asText());
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
