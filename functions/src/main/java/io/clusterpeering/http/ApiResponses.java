package io.clusterpeering.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import java.util.HashMap;
import java.util.Map;

/**
 * Builds API Gateway v2 responses the way Consul's HTTP wrapper answers (and turns them into a REST API's
 * payload 1.0 shape with {@link #restProxy}): JSON with
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

    /**
     * The same answer in a REST API's Lambda proxy shape (payload format 1.0): status, headers, multi-value
     * headers, body and the base64 flag, and nothing else, which is all a REST API accepts (cookies, which
     * payload 2.0 has and 1.0 lacks, are never set by our handlers).
     */
    public static APIGatewayProxyResponseEvent restProxy(APIGatewayV2HTTPResponse response) {
        return new APIGatewayProxyResponseEvent()
                .withStatusCode(response.getStatusCode())
                .withHeaders(response.getHeaders() == null ? null : new HashMap<>(response.getHeaders()))
                .withMultiValueHeaders(response.getMultiValueHeaders() == null ? null
                        : new HashMap<>(response.getMultiValueHeaders()))
                .withBody(response.getBody())
                .withIsBase64Encoded(response.getIsBase64Encoded());
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
