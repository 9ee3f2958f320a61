package io.clusterpeering.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import io.clusterpeering.domain.PeeringException.InvalidRequest;
import io.clusterpeering.acl.Caller;
import io.clusterpeering.domain.GoDurations;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.domain.PeeringRules;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One request of Consul's HTTP API as API Gateway hands it to a function, from an HTTP API (payload format 2.0)
 * or a REST API (payload format 1.0) alike: method, path, path parameters, query parameters, headers
 * (case-insensitive) and the decoded body, with the parsing of Consul's common query parameters ({@code dc},
 * {@code partition}, {@code index}, {@code wait}, {@code pretty}). A parameter given several times reads as its
 * values joined by commas, and one given without a value ({@code ?pretty}) is present and empty, in both formats.
 */
public final class ApiRequest {
    private final String method;
    private final String path;
    private final Map<String, String> pathParameters;
    private final Map<String, String> query;
    private final Map<String, String> headers;
    private final String body;
    private final String requestId;
    private final Caller caller;

    private ApiRequest(String method, String path, Map<String, String> pathParameters, Map<String, String> query,
                       Map<String, String> headers, String body, String requestId) {
        this(method, path, pathParameters, query, headers, body, requestId, null);
    }

    private ApiRequest(String method, String path, Map<String, String> pathParameters, Map<String, String> query,
                       Map<String, String> headers, String body, String requestId, Caller caller) {
        this.method = method;
        this.path = path;
        this.pathParameters = pathParameters;
        this.query = query;
        this.headers = headers;
        this.body = body;
        this.requestId = requestId;
        this.caller = caller;
    }

    /** Reads the parts of an API Gateway v2 event; a base64 body is decoded as UTF-8. */
    public static ApiRequest of(APIGatewayV2HTTPEvent event) {
        var http = event.getRequestContext() == null ? null : event.getRequestContext().getHttp();
        String method = http == null ? "GET" : http.getMethod();
        String path = event.getRawPath() != null ? event.getRawPath() : http == null ? "/" : http.getPath();
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (event.getHeaders() != null) {
            headers.putAll(event.getHeaders());
        }
        String body = event.getBody();
        if (body != null && event.getIsBase64Encoded()) {
            body = new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8);
        }
        String requestId = event.getRequestContext() == null ? null : event.getRequestContext().getRequestId();
        return new ApiRequest(method == null ? "GET" : method.toUpperCase(Locale.ROOT), path,
                event.getPathParameters() == null ? Map.of() : event.getPathParameters(),
                event.getQueryStringParameters() == null ? Map.of() : event.getQueryStringParameters(),
                headers, body, requestId == null ? "" : requestId);
    }

    /** This request with its caller, as the base handler resolved it from the ACL token. */
    public ApiRequest withCaller(Caller resolved) {
        return new ApiRequest(method, path, pathParameters, query, headers, body, requestId, resolved);
    }

    /**
     * The caller resolved from the request's ACL token (allowed everything when ACLs are off).
     *
     * @throws IllegalStateException on a route that resolves no token ({@code RouteAcl.Kind.NONE})
     */
    public Caller caller() {
        if (caller == null) {
            throw new IllegalStateException("this route resolves no ACL token");
        }
        return caller;
    }

    /**
     * Reads the parts of an API Gateway REST API proxy event (payload format 1.0). The path is the one the client
     * asked for, stage included ({@code requestContext.path}, as the stage is the first segment of Consul's paths
     * on our REST API), else {@code path}; the multi-value maps win over the single-value ones, which keep only the
     * last value; a base64 body is decoded as UTF-8.
     */
    public static ApiRequest of(APIGatewayProxyRequestEvent event) {
        var context = event.getRequestContext();
        String path = context != null && context.getPath() != null ? context.getPath()
                : event.getPath() != null ? event.getPath() : "/";
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.putAll(joined(event.getHeaders(), event.getMultiValueHeaders()));
        String body = event.getBody();
        if (body != null && Boolean.TRUE.equals(event.getIsBase64Encoded())) {
            body = new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8);
        }
        String requestId = context == null ? null : context.getRequestId();
        String method = event.getHttpMethod();
        return new ApiRequest(method == null ? "GET" : method.toUpperCase(Locale.ROOT), path,
                event.getPathParameters() == null ? Map.of() : event.getPathParameters(),
                joined(event.getQueryStringParameters(), event.getMultiValueQueryStringParameters()),
                headers, body, requestId == null ? "" : requestId);
    }

    /**
     * The same request with other path parameters: what API Gateway would have given had it routed the request to
     * the route whose template produced them (the catch-all route hands requests on this way).
     */
    public ApiRequest withPathParameters(Map<String, String> parameters) {
        return new ApiRequest(method, path, Map.copyOf(parameters), query, headers, body, requestId, caller);
    }

    /** One value per name: the multi-value map's values joined by commas when given, else the single values; null reads as empty. */
    private static Map<String, String> joined(Map<String, String> single, Map<String, List<String>> multi) {
        Map<String, String> values = new HashMap<>();
        if (multi != null && !multi.isEmpty()) {
            multi.forEach((name, list) -> values.put(name, list == null ? ""
                    : String.join(",", list.stream().map(v -> v == null ? "" : v).toList())));
        } else if (single != null) {
            single.forEach((name, value) -> values.put(name, value == null ? "" : value));
        }
        return values;
    }

    public String method() {
        return method;
    }

    public String path() {
        return path;
    }

    /** The request body, or null. */
    public String body() {
        return body;
    }

    /** API Gateway's request ID, for logs and error messages. */
    public String requestId() {
        return requestId;
    }

    /** A path parameter, or the empty string. */
    public String pathParameter(String name) {
        String value = pathParameters.get(name);
        return value == null ? "" : value;
    }

    /** A query parameter, if present (a parameter given without a value is present and empty). */
    public Optional<String> query(String name) {
        return Optional.ofNullable(query.get(name));
    }

    /** A header, case-insensitively. */
    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name));
    }

    /** Whether {@code ?pretty} was given. */
    public boolean pretty() {
        return query.containsKey("pretty");
    }

    /**
     * The ACL token's SecretID, with Consul's precedence: a non-empty {@code ?token=} wins, then a non-empty
     * {@code X-Consul-Token} header, then {@code Authorization: Bearer <secret>} (scheme case-insensitive).
     * Empty when the request carries none, which means Consul's anonymous token.
     */
    public Optional<String> aclToken() {
        Optional<String> fromQuery = query("token").filter(t -> !t.isEmpty());
        if (fromQuery.isPresent()) {
            return fromQuery;
        }
        Optional<String> fromHeader = header("X-Consul-Token").filter(t -> !t.isEmpty());
        if (fromHeader.isPresent()) {
            return fromHeader;
        }
        return header("Authorization").flatMap(ApiRequest::bearerToken);
    }

    /** Consul's reading of {@code Authorization}: split on spaces, scheme {@code bearer}, the next word. */
    private static Optional<String> bearerToken(String authorization) {
        String[] parts = authorization.split(" ");
        if (parts.length < 2 || !parts[0].equalsIgnoreCase("bearer")) {
            return Optional.empty();
        }
        String rest = String.join(" ", java.util.Arrays.asList(parts).subList(1, parts.length)).trim();
        String token = rest.isEmpty() ? "" : rest.split(" ")[0];
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }

    /**
     * The partition: the body's value wins when non-empty (Consul's rule), then {@code ?partition=}, then
     * the {@code X-Consul-Partition} header.
     */
    public String partition(String fromBody) {
        if (fromBody != null && !fromBody.isEmpty()) {
            return fromBody;
        }
        return query("partition").filter(p -> !p.isEmpty())
                .or(() -> header("X-Consul-Partition").filter(p -> !p.isEmpty()))
                .orElse(null);
    }

    /**
     * The request's partition from {@code ?partition=} or {@code X-Consul-Partition}, {@code default} when none.
     *
     * @throws InvalidRequest when it is malformed
     */
    public String partitionOrDefault() {
        String partition = partition(null);
        PeeringRules.requireValidPartition(partition);
        return new PeeringKey(partition, "").partition();
    }

    /**
     * The peering a {@code /v1/peering/{name}} request names: the path's name in the request's partition.
     *
     * @param action what the route does with it, for the error text ("fetch", "delete")
     * @throws InvalidRequest with Consul's {@code Must specify a name to <action>.} for an empty name, or when the
     *                        partition is malformed
     */
    public PeeringKey peeringKey(String action) {
        String name = pathParameter("name");
        if (name.isEmpty()) {
            throw new InvalidRequest("Must specify a name to " + action + ".");
        }
        String partition = partition(null);
        PeeringRules.requireValidPartition(partition);
        return new PeeringKey(partition, name);
    }

    /**
     * The blocking query's index, {@code ?index=}; 0 when absent.
     *
     * @throws InvalidRequest when it is not an unsigned integer
     */
    public long index() {
        Optional<String> value = query("index");
        if (value.isEmpty() || value.get().isEmpty()) {
            return 0;
        }
        try {
            long index = Long.parseUnsignedLong(value.get());
            return index < 0 ? Long.MAX_VALUE : index;
        } catch (NumberFormatException e) {
            throw new InvalidRequest("Invalid index: index must be an unsigned integer, not \"" + value.get() + "\"");
        }
    }

    /**
     * The blocking query's wait, {@code ?wait=} in Go's duration syntax ({@code 30s}, {@code 5m},
     * {@code 1m30s}, {@code 500ms}); empty when absent.
     *
     * @throws InvalidRequest with Consul's {@code Invalid wait time} when malformed
     */
    public Optional<Duration> waitTime() {
        Optional<String> value = query("wait").filter(w -> !w.isEmpty());
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            Duration wait = GoDurations.parse(value.get());
            if (!wait.isNegative()) {
                return Optional.of(wait);
            }
        } catch (IllegalArgumentException e) {
            // answered below
        }
        throw new InvalidRequest("Invalid wait time: \"" + value.get() + "\" is not a duration such as 30s or 5m");
    }
}
