package io.clusterpeering.bench.probe;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * An API Gateway v2 (payload 2.0) event as the local server builds it, written to and read from a properties
 * file so that the driver can hand the same request to a fresh JVM. Keys: {@code method}, {@code path},
 * {@code rawQuery}, {@code body}, {@code header.<name>}, {@code query.<name>}, {@code param.<name>}.
 */
public final class ProbeEvents {
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

    /** The event a properties file describes. */
    static APIGatewayV2HTTPEvent event(Properties spec) {
        Map<String, String> headers = new HashMap<>();
        Map<String, String> query = new HashMap<>();
        Map<String, String> params = new HashMap<>();
        for (String key : spec.stringPropertyNames()) {
            if (key.startsWith("header.")) {
                headers.put(key.substring(7), spec.getProperty(key));
            } else if (key.startsWith("query.")) {
                query.put(key.substring(6), spec.getProperty(key));
            } else if (key.startsWith("param.")) {
                params.put(key.substring(6), spec.getProperty(key));
            }
        }
        return event(spec.getProperty("method"), spec.getProperty("path"), params, query, headers,
                spec.getProperty("body"));
    }

    /** Writes a request as a properties file for {@link ColdStartProbe}. */
    public static void write(Path file, String method, String path, Map<String, String> pathParameters,
                             Map<String, String> query, Map<String, String> headers, String body) {
        Properties spec = new Properties();
        spec.setProperty("method", method);
        spec.setProperty("path", path);
        if (body != null) {
            spec.setProperty("body", body);
        }
        headers.forEach((k, v) -> spec.setProperty("header." + k, v));
        query.forEach((k, v) -> spec.setProperty("query." + k, v));
        pathParameters.forEach((k, v) -> spec.setProperty("param." + k, v));
        try (OutputStream out = Files.newOutputStream(file)) {
            spec.store(out, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
