package io.clusterpeering.bench;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clusterpeering.bench.probe.ProbeContext;
import io.clusterpeering.bench.probe.ProbeEvents;
import io.clusterpeering.function.ConsulHttpFunction;
import io.clusterpeering.function.Routes;
import io.micronaut.context.ApplicationContext;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One cluster's functions in the driver's JVM, as Lambda runs them warm: an application context configured as the
 * deployment configures it (ACLs on with default deny unless asked otherwise, a table of its own in the shared
 * DynamoDB Local), one function instance per route, and requests handed to them as Lambda hands them over: the
 * API Gateway v2 event's JSON bytes through the stream entry point {@code handleRequest(InputStream, OutputStream,
 * Context)}, the answer read back from the bytes it wrote. With ACLs on it bootstraps them and sends the management token with every request.
 */
public class Cluster implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    private final ApplicationContext context;
    private final Map<Routes.Route, ConsulHttpFunction> functions = new ConcurrentHashMap<>();
    private final String table;
    private String token;

    private Cluster(ApplicationContext context, String table) {
        this.context = context;
        this.table = table;
    }

    /** The configuration of a cluster over a table of the engine, as the CDK stack sets it (plus the endpoint). */
    static Map<String, Object> properties(String endpoint, String table, boolean acl) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("peering.dynamodb.endpoint", endpoint);
        properties.put("peering.dynamodb.table-name", table);
        properties.put("peering.dynamodb.region", "us-east-1");
        properties.put("peering.datacenter", "dc1");
        properties.put("peering.acl.enabled", acl);
        properties.put("peering.acl.default-policy", "deny");
        return properties;
    }

    /**
     * Starts a cluster over a new table and, with ACLs on, bootstraps them.
     *
     * @param more configuration on top of {@link #properties}
     */
    static Cluster start(String endpoint, String table, boolean acl, Map<String, Object> more) {
        Map<String, Object> properties = properties(endpoint, table, acl);
        properties.put("peering.dynamodb.create-table", true);
        properties.putAll(more);
        Cluster cluster = new Cluster(ApplicationContext.run(properties), table);
        if (acl) {
            APIGatewayV2HTTPResponse bootstrap = cluster.call("PUT", "/v1/acl/bootstrap", null);
            if (bootstrap.getStatusCode() != 200) {
                throw new IllegalStateException("ACL bootstrap failed: " + bootstrap.getBody());
            }
            cluster.token = json(bootstrap.getBody()).get("SecretID").asText();
        }
        return cluster;
    }

    /** A cluster over an existing table, without creating or bootstrapping anything. */
    static Cluster attach(String endpoint, String table, boolean acl, String token) {
        Cluster cluster = new Cluster(ApplicationContext.run(properties(endpoint, table, acl)), table);
        cluster.token = token;
        return cluster;
    }

    /** The functions of a running local cluster (ACLs off), without owning its context. */
    static Cluster over(io.clusterpeering.local.LocalCluster local) {
        return new Cluster(local.context(), local.context().getProperty("peering.dynamodb.table-name", String.class)
                .orElseThrow()) {
            @Override
            public void close() {
                // the local cluster owns its context
            }
        };
    }

    /** Starts a local cluster (HTTP server on a free port, ACLs off) over a new table of the engine. */
    static io.clusterpeering.local.LocalCluster local(BenchRun run, String datacenter, Map<String, Object> more) {
        return local(run, run.endpoint(), datacenter, more);
    }

    /** As {@link #local(BenchRun, String, Map)}, over another engine. */
    static io.clusterpeering.local.LocalCluster local(BenchRun run, String endpoint, String datacenter,
                                                      Map<String, Object> more) {
        int port = io.clusterpeering.local.EmbeddedDynamoDb.freePort();
        Map<String, Object> properties = properties(endpoint, run.newTable(datacenter), false);
        properties.put("peering.datacenter", datacenter);
        properties.put("micronaut.server.port", port);
        properties.put("peering.advertise-url", "http://127.0.0.1:" + port);
        properties.put("peering.heartbeat-interval", "60s");
        properties.putAll(more);
        return io.clusterpeering.local.LocalCluster.start(null, properties);
    }

    /** The local cluster's base URL. */
    static String url(io.clusterpeering.local.LocalCluster local) {
        return "http://127.0.0.1:" + local.context().getProperty("micronaut.server.port", Integer.class).orElseThrow();
    }

    /** The management token's SecretID, or null with ACLs off. */
    String token() {
        return token;
    }

    String table() {
        return table;
    }

    ApplicationContext context() {
        return context;
    }

    /** The DynamoDB client the functions use. */
    DynamoDbClient dynamoDb() {
        return context.getBean(DynamoDbClient.class);
    }

    /** The request headers every call carries: the management token when ACLs are on. */
    Map<String, String> headers() {
        Map<String, String> headers = new HashMap<>();
        headers.put("content-type", "application/json");
        if (token != null) {
            headers.put("x-consul-token", token);
        }
        return headers;
    }

    /** The event of a request to this cluster: its JSON bytes, as API Gateway sends them (payload 2.0). */
    byte[] event(String method, String pathAndQuery, String body) {
        Request request = Request.of(method, pathAndQuery, body);
        return ProbeEvents.json(method, request.path(), request.pathParameters(), request.query(), headers(), body);
    }

    /**
     * The sizes of one GET answer as it leaves the function's stream entry point: the plain JSON body (no
     * {@code Accept-Encoding}), and with {@code Accept-Encoding: gzip} the gzipped body and the whole Lambda result
     * (base64 body and envelope, what Lambda's 6 MiB limit applies to). All in bytes.
     *
     * @throws IllegalStateException when either answer is not a 200
     */
    AnswerSize answerSize(String pathAndQuery) {
        Request request = Request.of("GET", pathAndQuery, null);
        ConsulHttpFunction function = function(request.route());
        ProbeContext context = new ProbeContext();
        JsonNode plain = json(new String(invoke(function, event("GET", pathAndQuery, null), context),
                java.nio.charset.StandardCharsets.UTF_8));
        Map<String, String> gzipHeaders = new HashMap<>(headers());
        gzipHeaders.put("accept-encoding", "gzip");
        byte[] gzipAnswer = invoke(function, ProbeEvents.json("GET", request.path(), request.pathParameters(),
                request.query(), gzipHeaders, null), context);
        JsonNode gzipped = json(new String(gzipAnswer, java.nio.charset.StandardCharsets.UTF_8));
        if (plain.path("statusCode").asInt() != 200 || gzipped.path("statusCode").asInt() != 200) {
            throw new IllegalStateException("GET " + pathAndQuery + " answered " + plain.path("statusCode") + " / "
                    + gzipped.path("statusCode"));
        }
        int gzipBytes = gzipped.path("isBase64Encoded").asBoolean()
                ? java.util.Base64.getDecoder().decode(gzipped.path("body").asText()).length
                : gzipped.path("body").asText().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        return new AnswerSize(plain.path("body").asText().getBytes(java.nio.charset.StandardCharsets.UTF_8).length,
                gzipBytes, gzipAnswer.length);
    }

    /** {@link #answerSize}'s figures, in bytes. */
    record AnswerSize(int plainBytes, int gzipBytes, int lambdaResultBytes) {
    }

    /**
     * One invocation as Lambda makes it: the event's bytes through the function's stream entry point.
     *
     * @return the answer's bytes (payload 2.0 JSON)
     */
    static byte[] invoke(ConsulHttpFunction function, byte[] event, Context context) {
        ByteArrayOutputStream answer = new ByteArrayOutputStream(1024);
        try {
            function.handleRequest(new ByteArrayInputStream(event), answer, context);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return answer.toByteArray();
    }

    /**
     * Answers a request as the route's function does in Lambda (the stream entry point).
     *
     * @throws IllegalArgumentException when no route takes it
     */
    APIGatewayV2HTTPResponse call(String method, String pathAndQuery, String body) {
        Request request = Request.of(method, pathAndQuery, body);
        byte[] answer = invoke(function(request.route()), event(method, pathAndQuery, body), new ProbeContext());
        JsonNode tree = json(new String(answer, StandardCharsets.UTF_8));
        Map<String, String> headers = new HashMap<>();
        tree.path("headers").fields().forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
        return APIGatewayV2HTTPResponse.builder().withStatusCode(tree.path("statusCode").asInt())
                .withHeaders(headers).withBody(tree.hasNonNull("body") ? tree.get("body").asText() : null)
                .build();
    }

    /** As {@link #call}, failing unless 200. */
    JsonNode ok(String method, String pathAndQuery, String body) {
        APIGatewayV2HTTPResponse response = call(method, pathAndQuery, body);
        if (response.getStatusCode() != 200) {
            throw new IllegalStateException(method + " " + pathAndQuery + " answered " + response.getStatusCode()
                    + ": " + response.getBody());
        }
        String text = response.getBody();
        return text == null || text.isBlank() ? JSON.nullNode() : json(text);
    }

    /** The function instance of a route (one per route, as one Lambda function per route). */
    ConsulHttpFunction function(Routes.Route route) {
        return functions.computeIfAbsent(route, r -> r.factory().apply(context));
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        context.close();
    }

    /**
     * A request split as API Gateway splits it.
     *
     * @param route          the route that takes it
     * @param path           the path without the query
     * @param pathParameters the route template's values
     * @param query          the query parameters
     */
    record Request(Routes.Route route, String path, Map<String, String> pathParameters, Map<String, String> query) {
        static Request of(String method, String pathAndQuery, String body) {
            int q = pathAndQuery.indexOf('?');
            String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
            Map<String, String> query = new HashMap<>();
            if (q >= 0) {
                for (String pair : pathAndQuery.substring(q + 1).split("&")) {
                    int eq = pair.indexOf('=');
                    query.put(eq < 0 ? pair : pair.substring(0, eq), eq < 0 ? "" : pair.substring(eq + 1));
                }
            }
            Routes.Match match = Routes.match(method, path)
                    .orElseThrow(() -> new IllegalArgumentException("no route takes " + method + " " + path));
            return new Request(match.route(), path, match.pathParameters(), query);
        }
    }
}
