package dev.nbce.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.common.constraint.CompilerPool;
import dev.nbce.common.error.InvalidRequestException;
import dev.nbce.gateway.request.GenerationRequest;
import dev.nbce.gateway.request.Tool;
import dev.nbce.gateway.request.ToolChoice;
import dev.nbce.gateway.request.Tools;
import dev.nbce.structured.ConstraintException;
import dev.nbce.structured.ConstraintSpec;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A request's constraint and bias are checked before its rows are prepared, with errors naming the field and path. */
class GatewayConstraintsTest {
    private final Vertx vertx = Vertx.vertx();
    private final Context context = vertx.getOrCreateContext();
    private final AtomicInteger compilations = new AtomicInteger();
    private final GatewayConstraints constraints = new GatewayConstraints(new CompilerPool(spec -> {
        compilations.incrementAndGet();
        throw new ConstraintException("/properties/when/format", "format \"duration\" is not supported");
    }), 1000);

    @AfterEach
    void close() {
        constraints.close();
        vertx.close();
    }

    private static GenerationRequest request(Map<Integer, Double> bias) {
        GenerationRequest r = GenerationRequest.of(List.of("c"), "q", 4);
        return new GenerationRequest(r.contexts(), r.document(), r.question(), r.messages(), r.prompt(), r.userTemplate(),
                r.maxNewTokens(), r.fillWindow(), r.temperature(), r.topP(), r.topK(), r.seed(), r.stop(), r.nbce(), r.stream(),
                r.output(), r.windowTokens(), bias, null, null);
    }

    private Throwable failure(GenerationRequest request) throws Exception {
        return constraints.check(request, context).toCompletionStage().toCompletableFuture()
                .handle((ok, error) -> error).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aRefusedSchemaIsA400NamingTheFieldAndThePath() throws Exception {
        GenerationRequest request = request(Map.of()).withConstraint("response_format.json_schema.schema",
                new ConstraintSpec.JsonSchema(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()));
        InvalidRequestException e = assertInstanceOf(InvalidRequestException.class, failure(request));
        assertEquals("response_format.json_schema.schema", e.field());
        assertEquals("response_format.json_schema.schema: format \"duration\" is not supported (at /properties/when/format)",
                e.getMessage());
        InvalidRequestException again = assertInstanceOf(InvalidRequestException.class, failure(request.withConstraint(
                "guided_json", request.constraint())));
        assertEquals("guided_json", again.field(), "the same refusal, named for the field that sent it this time");
        assertEquals(1, compilations.get(), "a refused spec is not compiled again");
    }

    @Test
    void aBiasOutsideTheVocabularyIsA400AndNoConstraintNeedsNoCompiler() throws Exception {
        InvalidRequestException e = assertInstanceOf(InvalidRequestException.class, failure(request(Map.of(1000, 1.0))));
        assertEquals("logit_bias", e.field());
        assertTrue(e.getMessage().contains("1000"), e.getMessage());
        GenerationRequest fine = request(Map.of(999, -100.0));
        assertSame(fine, constraints.check(fine, context).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
    }

    @Test
    void aToolWhoseParametersDoNotCompileIsA400NamingTheToolWhateverTheChoice() throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode parameters =
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("type", "object");
        Tools offered = new Tools(List.of(new Tool("when", null, parameters, false, parameters)), ToolChoice.AUTO, true);
        InvalidRequestException e = assertInstanceOf(InvalidRequestException.class, failure(request(Map.of()).withTools(offered)));
        assertEquals("tools[0].function.parameters/properties/when/format", e.field());
        assertTrue(e.getMessage().contains("format \"duration\" is not supported"), e.getMessage());
    }
}
