package io.clusterpeering.support;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One API Gateway event fixture in either payload format, as JSON, that a test adjusts (body, method, path,
 * path parameters, query) the way API Gateway would have filled it for that request, and sends to a function's
 * Lambda entry point ({@link RequestStreamHandler#handleRequest}) as bytes, exactly as Lambda does. The answer is
 * read back from the bytes the function wrote; a payload 1.0 answer is also checked to carry only the five
 * fields a REST API accepts.
 */
public final class GatewayEvent {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> REST_PROXY_ANSWER_FIELDS =
            Set.of("statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded");
    /** The REST API's stage: the first segment of every Consul path on our REST API. */
    private static final String REST_STAGE = "v1";

    private final PayloadFormat format;
    private final ObjectNode json;

    private GatewayEvent(PayloadFormat format, ObjectNode json) {
        this.format = format;
        this.json = json;
    }

    /** The fixture {@code <format's folder>/<name>} (for example {@code read-peering.json}). */
    public static GatewayEvent fixture(PayloadFormat format, String name) {
        try (InputStream in = GatewayEvent.class.getResourceAsStream("/" + format.fixtures() + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + format.fixtures() + name);
            }
            return new GatewayEvent(format, (ObjectNode) JSON.readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The event's JSON, for assertions on the fixture itself. */
    public ObjectNode json() {
        return json;
    }

    /** A plain-text body (not base64); null for none. */
    public GatewayEvent body(String body) {
        if (body == null) {
            json.putNull("body");
        } else {
            json.put("body", body);
        }
        json.put("isBase64Encoded", false);
        return this;
    }

    /** The HTTP method. */
    public GatewayEvent method(String method) {
        if (format == PayloadFormat.HTTP_API_2_0) {
            ((ObjectNode) json.path("requestContext").path("http")).put("method", method);
        } else {
            json.put("httpMethod", method);
            ((ObjectNode) json.path("requestContext")).put("httpMethod", method);
        }
        return this;
    }

    /**
     * The path the client asked for, as Consul writes it ({@code /v1/...}). On the REST API the stage is its first
     * segment, so the event's {@code path} is the rest and {@code requestContext.path} the whole.
     */
    public GatewayEvent path(String consulPath) {
        if (format == PayloadFormat.HTTP_API_2_0) {
            json.put("rawPath", consulPath);
            ((ObjectNode) json.path("requestContext").path("http")).put("path", consulPath);
        } else {
            if (!consulPath.startsWith("/" + REST_STAGE + "/")) {
                throw new IllegalArgumentException("a REST API path starts with its stage /" + REST_STAGE + "/: " + consulPath);
            }
            json.put("path", consulPath.substring(REST_STAGE.length() + 1));
            ((ObjectNode) json.path("requestContext")).put("path", consulPath);
        }
        return this;
    }

    /** The path parameters API Gateway extracted; null for none. */
    public GatewayEvent pathParameters(Map<String, String> parameters) {
        if (parameters == null) {
            json.putNull("pathParameters");
        } else {
            json.set("pathParameters", JSON.valueToTree(parameters));
        }
        return this;
    }

    /** The query parameters (one value each; an empty value is a parameter given without one); null for none. */
    public GatewayEvent query(Map<String, String> parameters) {
        Map<String, String> ordered = parameters == null ? Map.of() : new TreeMap<>(parameters);
        if (format == PayloadFormat.HTTP_API_2_0) {
            json.put("rawQueryString", ordered.entrySet().stream()
                    .map(e -> encode(e.getKey()) + (e.getValue().isEmpty() ? "" : "=" + encode(e.getValue())))
                    .collect(Collectors.joining("&")));
            json.set("queryStringParameters", ordered.isEmpty() ? null : JSON.valueToTree(ordered));
        } else {
            json.set("queryStringParameters", ordered.isEmpty() ? null : JSON.valueToTree(ordered));
            Map<String, Object> multi = new LinkedHashMap<>();
            ordered.forEach((name, value) -> multi.put(name, List.of(value)));
            json.set("multiValueQueryStringParameters", ordered.isEmpty() ? null : JSON.valueToTree(multi));
        }
        return this;
    }

    /** Sends the event to the function's Lambda entry point and reads its answer. */
    public Answer sendTo(RequestStreamHandler function) {
        try {
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            function.handleRequest(new ByteArrayInputStream(JSON.writeValueAsBytes(json)), output, null);
            JsonNode answer = JSON.readTree(output.toByteArray());
            if (format == PayloadFormat.REST_API_1_0) {
                answer.fieldNames().forEachRemaining(field -> {
                    if (!REST_PROXY_ANSWER_FIELDS.contains(field)) {
                        throw new AssertionError("a REST API proxy answer may not carry \"" + field + "\": " + answer);
                    }
                });
            }
            Map<String, String> headers = new LinkedHashMap<>();
            answer.path("headers").fields().forEachRemaining(h -> headers.put(h.getKey(), h.getValue().asText()));
            String body = answer.path("body").isNull() || answer.path("body").isMissingNode() ? null : answer.path("body").asText();
            return new Answer(answer.path("statusCode").asInt(), headers, decoded(body, answer, headers), answer,
                    output.size());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The body as a client reads it: base64 decoded as API Gateway does, then gunzipped as Go's HTTP transport does. */
    private static String decoded(String body, JsonNode answer, Map<String, String> headers) throws IOException {
        if (body == null || !answer.path("isBase64Encoded").asBoolean(false)) {
            return body;
        }
        byte[] bytes = java.util.Base64.getDecoder().decode(body);
        if ("gzip".equals(headers.get("Content-Encoding"))) {
            try (InputStream gunzip = new java.util.zip.GZIPInputStream(new ByteArrayInputStream(bytes))) {
                bytes = gunzip.readAllBytes();
            }
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Sets a request header, replacing any of that name (in both the single-value and, on payload 1.0, the multi-value map). */
    public GatewayEvent header(String name, String value) {
        withoutHeader(name);
        ObjectNode headers = json.path("headers") instanceof ObjectNode h ? h : json.putObject("headers");
        headers.put(format == PayloadFormat.HTTP_API_2_0 ? name.toLowerCase(java.util.Locale.ROOT) : name, value);
        if (format == PayloadFormat.REST_API_1_0) {
            ObjectNode multi = json.path("multiValueHeaders") instanceof ObjectNode m ? m : json.putObject("multiValueHeaders");
            multi.putArray(name).add(value);
        }
        return this;
    }

    /** Removes a request header, whatever its case, from both header maps. */
    public GatewayEvent withoutHeader(String name) {
        for (String map : List.of("headers", "multiValueHeaders")) {
            if (json.path(map) instanceof ObjectNode headers) {
                List<String> names = new java.util.ArrayList<>();
                headers.fieldNames().forEachRemaining(n -> {
                    if (n.equalsIgnoreCase(name)) {
                        names.add(n);
                    }
                });
                headers.remove(names);
            }
        }
        return this;
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    /**
     * A function's answer as API Gateway reads it.
     *
     * @param status     the HTTP status
     * @param headers    the single-value headers, names as the function wrote them
     * @param body       the body text as the client reads it (a base64 body decoded, a gzipped one gunzipped), or null
     * @param json       the whole answer, as the function wrote it
     * @param sizeBytes  the size of the answer the function wrote, in bytes (Lambda refuses more than 6 MB)
     */
    public record Answer(int status, Map<String, String> headers, String body, JsonNode json, int sizeBytes) {
    }
}
