package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clusterpeering.http.ApiGatewayPayloads;
import io.clusterpeering.http.ApiGatewayPayloads.Format;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.clusterpeering.support.GatewayEvent;
import io.clusterpeering.support.PayloadFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The edge between API Gateway and the handlers, for both payload formats: every route has a fixture in each
 * format that API Gateway would route to it, the Lambda entry point reads each fixture exactly as the Lambda
 * runtime's own serializer does, both formats of a request read as the same {@link ApiRequest}, and a REST API
 * answer carries only the fields a REST API accepts. (Handler behaviour in both formats: {@link PeeringFunctionsTest}.)
 */
class PayloadFormatsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Routes.Route> routes() {
        return Routes.ALL.stream();
    }

    private static byte[] bytes(GatewayEvent event) throws IOException {
        return JSON.writeValueAsBytes(event.json());
    }

    private static ApiGatewayPayloads.Invocation read(GatewayEvent event) throws IOException {
        return ApiGatewayPayloads.read(new ByteArrayInputStream(bytes(event)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routes")
    void everyRouteHasAFixtureInBothFormatsThatApiGatewayWouldRouteToIt(Routes.Route route) throws IOException {
        String fixture = PeeringFunctionsTest.fixtureOf(route) + ".json";
        ObjectNode http = GatewayEvent.fixture(PayloadFormat.HTTP_API_2_0, fixture).json();
        assertEquals(route.method() + " " + route.path(), http.get("routeKey").asText());
        assertEquals(route, Routes.match(route.method(), http.get("rawPath").asText()).orElseThrow().route());

        ObjectNode rest = GatewayEvent.fixture(PayloadFormat.REST_API_1_0, fixture).json();
        assertEquals(route.method(), rest.get("httpMethod").asText());
        assertEquals("v1", rest.get("requestContext").get("stage").asText(), "the stage is the first segment of Consul's paths");
        assertEquals(route.path(), "/v1" + rest.get("resource").asText());
        assertEquals(rest.get("requestContext").get("path").asText(), "/v1" + rest.get("path").asText());
        assertEquals(route, Routes.match(route.method(), rest.get("requestContext").get("path").asText()).orElseThrow().route());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routes")
    void theEntryPointReadsEveryFixtureAsTheLambdaRuntimesSerializerDoes(Routes.Route route) throws IOException {
        String fixture = PeeringFunctionsTest.fixtureOf(route) + ".json";
        GatewayEvent http = GatewayEvent.fixture(PayloadFormat.HTTP_API_2_0, fixture);
        ApiGatewayPayloads.Invocation httpInvocation = read(http);
        assertEquals(Format.HTTP_API_2_0, httpInvocation.format());
        assertEquals(LambdaEventSerializers.serializerFor(APIGatewayV2HTTPEvent.class, getClass().getClassLoader())
                .fromJson(new ByteArrayInputStream(bytes(http))), httpInvocation.event());

        GatewayEvent rest = GatewayEvent.fixture(PayloadFormat.REST_API_1_0, fixture);
        ApiGatewayPayloads.Invocation restInvocation = read(rest);
        assertEquals(Format.REST_API_1_0, restInvocation.format());
        assertEquals(LambdaEventSerializers.serializerFor(APIGatewayProxyRequestEvent.class, getClass().getClassLoader())
                .fromJson(new ByteArrayInputStream(bytes(rest))), restInvocation.event());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routes")
    void bothFormatsOfARequestReadAsTheSameRequest(Routes.Route route) throws IOException {
        String fixture = PeeringFunctionsTest.fixtureOf(route) + ".json";
        GatewayEvent httpEvent = GatewayEvent.fixture(PayloadFormat.HTTP_API_2_0, fixture);
        ApiRequest http = read(httpEvent).request();
        ApiRequest rest = read(GatewayEvent.fixture(PayloadFormat.REST_API_1_0, fixture)).request();

        assertEquals(http.method(), rest.method());
        assertEquals(http.path(), rest.path());
        assertEquals(http.body(), rest.body(), "a base64 body (HTTP API) and a plain one (REST API) read the same");
        for (String name : Routes.match(route.method(), http.path()).orElseThrow().pathParameters().keySet()) {
            assertFalse(http.pathParameter(name).isEmpty(), name);
            assertEquals(http.pathParameter(name), rest.pathParameter(name), name);
        }
        httpEvent.json().path("queryStringParameters").fieldNames().forEachRemaining(name ->
                assertEquals(http.query(name), rest.query(name), name));
        assertEquals(http.header("host"), rest.header("Host"));
        assertEquals(http.header("User-Agent"), rest.header("user-agent"));
        assertEquals(http.aclToken(), rest.aclToken());
        assertFalse(http.requestId().isEmpty());
        assertFalse(rest.requestId().isEmpty());
    }

    @Test
    void aQueryParameterWithoutAValueIsPresentInBothFormats() throws IOException {
        for (PayloadFormat format : PayloadFormat.values()) {
            ApiRequest request = read(GatewayEvent.fixture(format, "list-peerings.json")
                    .query(Map.of("pretty", "", "partition", "team-a"))).request();
            assertTrue(request.pretty(), format.name());
            assertEquals("team-a", request.partitionOrDefault(), format.name());
        }
        GatewayEvent nullValue = GatewayEvent.fixture(PayloadFormat.REST_API_1_0, "list-peerings.json");
        nullValue.json().putObject("queryStringParameters").putNull("pretty");
        nullValue.json().putNull("multiValueQueryStringParameters");
        ApiRequest request = read(nullValue).request();
        assertTrue(request.pretty(), "a REST API that sends ?pretty as null still has it");
        assertEquals("", request.query("pretty").orElseThrow());
    }

    @Test
    void repeatedParametersAndHeadersReadAsTheirValuesJoinedByCommasInBothFormats() throws IOException {
        GatewayEvent rest = GatewayEvent.fixture(PayloadFormat.REST_API_1_0, "catalog-service.json");
        rest.json().putObject("queryStringParameters").put("tag", "b");
        rest.json().putObject("multiValueQueryStringParameters").putArray("tag").add("a").add("b");
        rest.json().with("multiValueHeaders").putArray("X-Consul-Token").add("t1").add("t2");
        ApiRequest restRequest = read(rest).request();
        assertEquals("a,b", restRequest.query("tag").orElseThrow(), "the multi-value map wins over the last value");
        assertEquals("t1,t2", restRequest.header("x-consul-token").orElseThrow());

        GatewayEvent http = GatewayEvent.fixture(PayloadFormat.HTTP_API_2_0, "catalog-service.json");
        http.json().put("rawQueryString", "tag=a&tag=b");
        http.json().putObject("queryStringParameters").put("tag", "a,b");
        assertEquals("a,b", read(http).request().query("tag").orElseThrow(), "as an HTTP API joins them");
    }

    @Test
    void anInvocationOfNeitherFormatIsRefused() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () ->
                ApiGatewayPayloads.read(new ByteArrayInputStream("{\"Records\":[]}".getBytes())));
        assertTrue(refused.getMessage().startsWith("not an API Gateway proxy event"), refused.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ApiGatewayPayloads.read(new ByteArrayInputStream("[]".getBytes())));
    }

    @Test
    void aRestApiAnswerCarriesOnlyTheFiveProxyFieldsAndAnHttpApiAnswerIsUnchanged() throws IOException {
        APIGatewayV2HTTPResponse notAllowed = Routes.unrouted("PUT", "/v1/peering/x", "allow");
        notAllowed.setCookies(List.of("a=b"));

        ByteArrayOutputStream restOut = new ByteArrayOutputStream();
        ApiGatewayPayloads.write(Format.REST_API_1_0, notAllowed, restOut);
        JsonNode rest = JSON.readTree(restOut.toByteArray());
        Set<String> fields = new TreeSet<>();
        rest.fieldNames().forEachRemaining(fields::add);
        assertEquals(new TreeSet<>(List.of("body", "headers", "isBase64Encoded", "statusCode")), fields,
                "no cookies, and no null multiValueHeaders");
        assertEquals(405, rest.get("statusCode").asInt());
        assertEquals("OPTIONS,GET,DELETE", rest.get("headers").get("Allow").asText());
        assertEquals("method PUT not allowed", rest.get("body").asText());
        assertEquals(ApiResponses.restProxy(notAllowed).getHeaders(), notAllowed.getHeaders());

        ByteArrayOutputStream httpOut = new ByteArrayOutputStream();
        ApiGatewayPayloads.write(Format.HTTP_API_2_0, notAllowed, httpOut);
        JsonNode http = JSON.readTree(httpOut.toByteArray());
        assertEquals(405, http.get("statusCode").asInt());
        assertEquals("a=b", http.get("cookies").get(0).asText());
        assertFalse(http.get("isBase64Encoded").asBoolean());
    }
}
