package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.api.client.EventHandlerLoader;
import com.amazonaws.services.lambda.runtime.api.client.HandlerInfo;
import com.amazonaws.services.lambda.runtime.api.client.LambdaRequestHandler;
import com.amazonaws.services.lambda.runtime.api.client.runtimeapi.dto.InvocationRequest;
import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clusterpeering.support.GatewayEvent;
import io.clusterpeering.support.LambdaInvocation;
import io.clusterpeering.support.PayloadFormat;
import io.clusterpeering.support.TestDynamoDb;
import org.junit.jupiter.api.Test;

import io.micronaut.context.ApplicationContext;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A handler class as Lambda's Java runtime loads and calls it, with the runtime's own loader
 * ({@code EventHandlerLoader} of aws-lambda-java-runtime-interface-client): named by its class alone, as the stack
 * names it, and given the invocation's bytes. The runtime takes our class as a stream handler (it prefers that
 * interface to the typed one), so one function answers an HTTP API event and a REST API event, each in its own
 * format. The request ({@code PUT /v1/peering/cluster-02}, a method that path does not take) gets Consul's 405
 * only if method and path were read from the right format.
 */
class LambdaRuntimeEntryPointTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void lambdasJavaRuntimeLoadsAHandlerClassThatAnswersBothPayloadFormats() throws Exception {
        // Lambda calls the no-argument constructor, whose context reads its settings from the environment; system
        // properties stand in for the environment variables the stack sets.
        Map<String, Object> settings = TestDynamoDb.freshTable("runtime");
        settings.forEach((key, value) -> System.setProperty(key, value.toString()));
        try {
            LambdaRequestHandler handler = EventHandlerLoader.loadEventHandler(
                    HandlerInfo.fromString(UnroutedFunction.class.getName(), getClass().getClassLoader()));
            for (PayloadFormat format : PayloadFormat.values()) {
                InvocationRequest invocation = new InvocationRequest();
                invocation.setId("runtime-" + format);
                invocation.setInvokedFunctionArn("arn:aws:lambda:us-east-1:000000000000:function:Unrouted:live");
                invocation.setDeadlineTimeInMs(System.currentTimeMillis() + 30_000);
                invocation.setContent(JSON.writeValueAsBytes(
                        GatewayEvent.fixture(format, "delete-peering.json").method("PUT").json()));

                JsonNode answer = JSON.readTree(handler.call(invocation).toByteArray());

                assertEquals(405, answer.get("statusCode").asInt(), format + ": " + answer);
                assertEquals("method PUT not allowed", answer.get("body").asText(), format.name());
                assertEquals("OPTIONS,GET,DELETE", answer.get("headers").get("Allow").asText(), format.name());
                Set<String> fields = new TreeSet<>();
                answer.fieldNames().forEachRemaining(fields::add);
                assertEquals(Set.of("body", "headers", "isBase64Encoded", "statusCode"), fields,
                        format + ": only the fields a REST API accepts, no nulls");
            }
        } finally {
            settings.keySet().forEach(System::clearProperty);
        }
    }

    @Test
    void aWarmFunctionRegistersNoBeanPerInvocation() throws Exception {
        try (ApplicationContext context = ApplicationContext.run(TestDynamoDb.freshTable("warm-invocations"))) {
            ListPeeringsFunction function = new ListPeeringsFunction(context);
            byte[] event = JSON.writeValueAsBytes(GatewayEvent.fixture(PayloadFormat.HTTP_API_2_0, "list-peerings.json").json());
            invoke(function, event, 0);
            int definitions = context.getAllBeanDefinitions().size();

            for (int i = 1; i <= 50; i++) {
                JsonNode answer = invoke(function, event, i);
                assertEquals(200, answer.get("statusCode").asInt(), answer.toString());
            }

            assertEquals(definitions, context.getAllBeanDefinitions().size(),
                    "50 invocations with their own Lambda Context leave the application context's beans as they were");
            assertTrue(context.getBeanDefinitions(Context.class).isEmpty(), "Lambda's Context is not a bean");
        }
    }

    private static JsonNode invoke(ListPeeringsFunction function, byte[] event, int invocation) throws Exception {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        function.handleRequest(new ByteArrayInputStream(event), output, LambdaInvocation.of("invocation-" + invocation, "ListPeerings"));
        return JSON.readTree(output.toByteArray());
    }
}
