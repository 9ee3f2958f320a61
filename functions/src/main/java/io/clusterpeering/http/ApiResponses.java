package io.clusterpeering.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import java.util.HashMap;
import java.util.Map;

/**
 * Builds API Gateway v2 responses the way Consul's HTTP wrapper answers: JSON with
 * {@code Content-Type: application/json}; errors as short plain text; a nil result (DELETE) as an empty 200;
 * and on reads the headers {@code X-Consul-Index} (never 0), {@code X-Consul-KnownLeader} and
 * {@code X-Consul-LastContact} (milliseconds) that the Go client expects.
 */
public final class ApiResponses {
    private ApiResponses() {
    }

    /** 200 with a JSON body. */
    public static APIGatewayV2HTTPResponse json(Object body, boolean pretty) {
        return response(200, ConsulJson.write(body, pretty), "application/json", Map.of());
    }

    /** 200 with a JSON body and the blocking-query headers of a read. */
    public static APIGatewayV2HTTPResponse jsonWithIndex(Object body, boolean pretty, long index) {
        return response(200, ConsulJson.write(body, pretty), "application/json", Map.of(
                "X-Consul-Index", Long.toString(Math.max(1, index)),
                "X-Consul-KnownLeader", "true",
                "X-Consul-LastContact", "0"));
    }

    /** 200 with an empty body and no content type, as Consul answers a DELETE. */
    public static APIGatewayV2HTTPResponse empty() {
        return response(200, "", null, Map.of());
    }

    /** An error or status answer with a plain-text body. */
    public static APIGatewayV2HTTPResponse text(int status, String message, Map<String, String> extraHeaders) {
        return response(status, message, "text/plain; charset=utf-8", extraHeaders);
    }

    private static APIGatewayV2HTTPResponse response(int status, String body, String contentType,
                                                     Map<String, String> extraHeaders) {
        Map<String, String> headers = new HashMap<>(extraHeaders);
        if (contentType != null) {
            headers.put("Content-Type", contentType);
        }
        return APIGatewayV2HTTPResponse.builder().withStatusCode(status).withHeaders(headers).withBody(body)
                .withIsBase64Encoded(false).build();
    }
}
