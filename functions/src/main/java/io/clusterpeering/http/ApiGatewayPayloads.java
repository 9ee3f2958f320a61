package io.clusterpeering.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The two JSON shapes in which API Gateway invokes a Lambda function and reads its answer: an HTTP API's
 * payload format 2.0, and a REST API's Lambda proxy format, payload 1.0 (an HTTP API configured for 1.0 sends
 * the same shape). Reads an invocation's bytes into the matching event class and an {@link ApiRequest}, and
 * writes the answer back in the format the request came in, so a handler serves either kind of API without
 * knowing which one called it.
 *
 * <p>The format is told from the event itself: {@code "version": "2.0"} (or a {@code requestContext.http}
 * object) is payload 2.0; an {@code httpMethod} field is payload 1.0. A payload 1.0 answer carries only
 * {@code statusCode}, {@code headers}, {@code multiValueHeaders}, {@code body} and {@code isBase64Encoded}: a
 * REST API (and LocalStack's) answers 502 "Malformed Lambda proxy response" to any other field. Fields that are
 * absent are left out, never written as {@code null}.
 */
public final class ApiGatewayPayloads {
    /**
     * Reads events leniently (API Gateway adds context fields over time; unknown ones are ignored, as the
     * Lambda runtime's own serializer ignores them) and writes answers without null fields.
     */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build()
            .setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL);

    private ApiGatewayPayloads() {
    }

    /** The payload format of one invocation. */
    public enum Format {
        /** An HTTP API's payload format 2.0 ({@link APIGatewayV2HTTPEvent} in, {@link APIGatewayV2HTTPResponse} out). */
        HTTP_API_2_0,
        /** A REST API's Lambda proxy format, payload 1.0 ({@link APIGatewayProxyRequestEvent} in, its five-field answer out). */
        REST_API_1_0
    }

    /**
     * One invocation as read from its bytes.
     *
     * @param format  the payload format it came in
     * @param event   the event: an {@link APIGatewayV2HTTPEvent} or an {@link APIGatewayProxyRequestEvent}
     * @param request the request it carries
     */
    public record Invocation(Format format, Object event, ApiRequest request) {
    }

    /**
     * Reads an API Gateway invocation in either payload format.
     *
     * @param input the invocation's JSON, as Lambda hands it to a stream handler
     * @return its format, event and request
     * @throws IOException              when the input is not JSON
     * @throws IllegalArgumentException when it is JSON but neither payload format (no {@code version} 2.0, no
     *                                  {@code httpMethod}): not an API Gateway proxy event
     */
    public static Invocation read(InputStream input) throws IOException {
        JsonNode tree = JSON.readTree(input);
        Format format = formatOf(tree);
        if (format == Format.HTTP_API_2_0) {
            APIGatewayV2HTTPEvent event = JSON.treeToValue(tree, APIGatewayV2HTTPEvent.class);
            return new Invocation(format, event, ApiRequest.of(event));
        }
        APIGatewayProxyRequestEvent event = JSON.treeToValue(tree, APIGatewayProxyRequestEvent.class);
        return new Invocation(format, event, ApiRequest.of(event));
    }

    /**
     * Writes an answer in the given payload format: payload 2.0 as it is, payload 1.0 through
     * {@link ApiResponses#restProxy}.
     *
     * @param format   the format the request came in
     * @param response the handler's answer
     * @param output   where Lambda reads the function's result
     * @throws IOException when the output cannot be written
     */
    public static void write(Format format, APIGatewayV2HTTPResponse response, OutputStream output) throws IOException {
        Object answer = format == Format.REST_API_1_0 ? ApiResponses.restProxy(response) : response;
        output.write(JSON.writeValueAsBytes(answer));
        output.flush();
    }

    private static Format formatOf(JsonNode event) {
        if (!event.isObject()) {
            throw new IllegalArgumentException("not an API Gateway proxy event: the invocation is not a JSON object");
        }
        if ("2.0".equals(event.path("version").asText()) || event.path("requestContext").path("http").isObject()) {
            return Format.HTTP_API_2_0;
        }
        if (event.path("httpMethod").isTextual()) {
            return Format.REST_API_1_0;
        }
        throw new IllegalArgumentException("not an API Gateway proxy event: neither payload format 2.0 (\"version\": \"2.0\")"
                + " nor payload format 1.0 (\"httpMethod\")");
    }
}
