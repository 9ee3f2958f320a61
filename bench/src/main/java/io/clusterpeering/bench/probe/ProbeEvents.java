package io.clusterpeering.bench.probe;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * An API Gateway v2 (payload 2.0) event: as an event object (the fields {@code LocalApiController} fills) and as
 * the JSON bytes API Gateway sends and Lambda hands to a stream handler ({@link #json}), which the driver writes to
 * a file ({@link #write}) so that a fresh JVM answers exactly those bytes.
 */
public final class ProbeEvents {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ProbeEvents() {
    }

    /** Builds the event of a request: the same fields {@code LocalApiController} fills. */
    public static APIGatewayV2HTTPEvent event(String method, String path, Map<String, String> pathParameters,
                                              Map<String, String> query, Map<String, String> headers, String body) {
        StringBuilder raw = new StringBuilder();
        query.forEach((k, v) -> raw.append(raw.length() == 0 ? "" : "&").append(k).append('=').append(v));
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey(method + " " + path)
                .withRawPath(path)
                .withRawQueryString(raw.toString())
                .withHeaders(new HashMap<>(headers))
                .withQueryStringParameters(query.isEmpty() ? null : new HashMap<>(query))
                .withPathParameters(pathParameters.isEmpty() ? null : new HashMap<>(pathParameters))
                .withBody(body)
                .withIsBase64Encoded(false)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withRequestId("bench")
                        .withTimeEpoch(System.currentTimeMillis())
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                                .withMethod(method).withPath(path).withProtocol("HTTP/1.1").withSourceIp("127.0.0.1")
                                .build())
                        .build())
                .build();
    }

    /**
     * The event's JSON as API Gateway's HTTP API sends it (payload format 2.0: {@code version}, {@code routeKey},
     * {@code rawPath}, {@code rawQueryString}, {@code headers}, {@code queryStringParameters},
     * {@code pathParameters}, {@code body}, {@code isBase64Encoded}, {@code requestContext.http}).
     */
    public static byte[] json(String method, String path, Map<String, String> pathParameters, Map<String, String> query,
                              Map<String, String> headers, String body) {
        ObjectNode event = JSON.createObjectNode();
        event.put("version", "2.0");
        event.put("routeKey", method + " " + path);
        event.put("rawPath", path);
        StringBuilder raw = new StringBuilder();
        query.forEach((k, v) -> raw.append(raw.length() == 0 ? "" : "&").append(k).append('=').append(v));
        event.put("rawQueryString", raw.toString());
        event.putObject("headers").setAll(strings(headers));
        if (!query.isEmpty()) {
            event.putObject("queryStringParameters").setAll(strings(query));
        }
        if (!pathParameters.isEmpty()) {
            event.putObject("pathParameters").setAll(strings(pathParameters));
        }
        ObjectNode context = event.putObject("requestContext");
        context.put("requestId", "bench");
        context.put("routeKey", method + " " + path);
        context.put("stage", "$default");
        context.put("timeEpoch", System.currentTimeMillis());
        ObjectNode http = context.putObject("http");
        http.put("method", method);
        http.put("path", path);
        http.put("protocol", "HTTP/1.1");
        http.put("sourceIp", "127.0.0.1");
        if (body != null) {
            event.put("body", body);
        }
        event.put("isBase64Encoded", false);
        try {
            return JSON.writeValueAsBytes(event);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, com.fasterxml.jackson.databind.JsonNode> strings(Map<String, String> values) {
        Map<String, com.fasterxml.jackson.databind.JsonNode> nodes = new java.util.LinkedHashMap<>();
        values.forEach((k, v) -> nodes.put(k, JSON.getNodeFactory().textNode(v)));
        return nodes;
    }

    /** Writes a request's event JSON ({@link #json}) to a file, for {@link ColdStartProbe}. */
    public static void write(Path file, String method, String path, Map<String, String> pathParameters,
                             Map<String, String> query, Map<String, String> headers, String body) {
        try {
            Files.write(file, json(method, path, pathParameters, query, headers, body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
