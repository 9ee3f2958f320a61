package io.clusterpeering.bench.probe;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The denominator of every cold start: a plain-Java Lambda handler, no framework, that builds the DynamoDB client
 * the way the functions do (same HTTP client, timeouts, region, credentials) in its constructor, and answers an
 * API Gateway event through the same entry point (a {@link RequestStreamHandler}: the event's JSON bytes in, the
 * answer's out) by reading the event with Jackson (the request's route, path parameters and headers), making exactly
 * the DynamoDB calls the function under test made for the same request (recorded by the driver,
 * {@link RecordedCalls}), then writing the items it read, and the payload 2.0 answer around them, as JSON by hand.
 *
 * <p>System properties: {@code bench.calls} (the recorded calls' file), {@code bench.http-client}
 * ({@code url-connection}, {@code apache} or {@code crt}). Environment: {@code PEERING_DYNAMODB_ENDPOINT},
 * {@code AWS_REGION}.
 */
public final class PlainJavaHandler implements RequestStreamHandler {
    private final ObjectMapper json = new ObjectMapper();
    private final DynamoDbClient dynamoDb;
    private final List<SdkRequest> calls;

    public PlainJavaHandler() {
        String region = System.getenv("AWS_REGION");
        dynamoDb = DynamoDbClient.builder()
                .region(Region.of(region == null ? "us-east-1" : region))
                .httpClient(HttpClients.build(System.getProperty("bench.http-client", "url-connection")))
                .endpointOverride(URI.create(System.getenv("PEERING_DYNAMODB_ENDPOINT")))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .build();
        String file = System.getProperty("bench.calls");
        calls = file == null ? List.of() : RecordedCalls.read(Path.of(file));
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        JsonNode event = this.json.readTree(input);
        if (!event.path("routeKey").isTextual() || !event.path("requestContext").path("http").isObject()) {
            throw new IllegalArgumentException("not an API Gateway payload 2.0 event");
        }
        StringBuilder json = new StringBuilder("[");
        for (SdkRequest call : calls) {
            Object response;
            try {
                response = RecordedCalls.invoke(dynamoDb, call);
            } catch (SdkServiceException refused) {
                response = null;   // a conditional write that held: still one round trip, as in the function
            }
            if (json.length() > 1) {
                json.append(',');
            }
            if (response instanceof GetItemResponse get) {
                Json.item(json, get.item());
            } else if (response instanceof QueryResponse query) {
                json.append('[');
                for (int i = 0; i < query.items().size(); i++) {
                    if (i > 0) {
                        json.append(',');
                    }
                    Json.item(json, query.items().get(i));
                }
                json.append(']');
            } else {
                json.append("{}");
            }
        }
        json.append(']');
        StringBuilder answer = new StringBuilder("{\"statusCode\":200,\"headers\":{\"Content-Type\":\"application/json\"},\"body\":");
        Json.string(answer, json.toString());
        answer.append(",\"isBase64Encoded\":false}");
        output.write(answer.toString().getBytes(StandardCharsets.UTF_8));
        output.flush();
    }

    /** DynamoDB items as JSON, written by hand. */
    static final class Json {
        private Json() {
        }

        static void item(StringBuilder out, Map<String, AttributeValue> item) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<String, AttributeValue> entry : item.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                string(out, entry.getKey());
                out.append(':');
                value(out, entry.getValue());
            }
            out.append('}');
        }

        private static void value(StringBuilder out, AttributeValue value) {
            if (value.s() != null) {
                string(out, value.s());
            } else if (value.n() != null) {
                out.append(value.n());
            } else if (value.bool() != null) {
                out.append(value.bool());
            } else if (value.hasM()) {
                item(out, value.m());
            } else if (value.hasL()) {
                out.append('[');
                for (int i = 0; i < value.l().size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    value(out, value.l().get(i));
                }
                out.append(']');
            } else if (value.hasSs()) {
                out.append('[');
                for (int i = 0; i < value.ss().size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    string(out, value.ss().get(i));
                }
                out.append(']');
            } else {
                out.append("null");
            }
        }

        private static void string(StringBuilder out, String s) {
            out.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    default -> {
                        if (c < 0x20) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            out.append('"');
        }
    }
}
