package io.clusterpeering.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.ExpiredIteratorException;
import software.amazon.awssdk.services.dynamodb.model.TrimmedDataAccessException;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * One cluster as its synthesized template ({@code cdk.out/<stack>.template.json}) declares it, run locally: the
 * table (key schema, stream view type) in DynamoDB Local, the secrets in {@link EmulatedAwsServices}, and every Java
 * function under {@link EmulatedFunction} with the template's {@code Handler}, {@code MemorySize}, {@code Timeout},
 * code asset and environment. Only what points at AWS is replaced: references to the table, queue, secrets and key
 * become local names, the API's URL becomes this cluster's local gateway, and the SDK is pointed at the local
 * endpoints with dummy credentials. In front of the functions:
 * <ul>
 *   <li>an HTTP gateway that matches each request against the template's routes (HTTP API route keys, or the REST
 *       API's resources and methods) and sends the function API Gateway's event: payload 2.0 for the HTTP API,
 *       1.0 for the REST API;</li>
 *   <li>a poller per DynamoDB event source mapping that reads the table's stream (DescribeStream, GetShardIterator,
 *       GetRecords), keeps the records the mapping's {@code FilterCriteria} let through ({@link EventPatterns}),
 *       and invokes the function with Lambda's DynamoDB Streams event, in batches of the mapping's
 *       {@code BatchSize}, retrying from the first reported item failure;</li>
 *   <li>{@link #deliverQueued} for the SQS mapping: a sent message as Lambda's SQS event.</li>
 * </ul>
 */
final class EmulatedCluster implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String REGION = "us-east-1";
    static final String ACCOUNT = "000000000000";

    /** One Java function of the template. */
    record FunctionSpec(String logicalId, String handler, int memoryMb, int timeoutSeconds, String asset,
                        Map<String, Object> environment) {
    }

    /** One event source mapping of the template. */
    record Mapping(String function, String source, int batchSize, List<JsonNode> filters) {
    }

    private final String datacenter;
    private final Map<String, Map<String, Object>> resources;
    private final Path cdkOut;
    private final boolean rest;
    private final EmulatedAwsServices aws;
    private final String dynamoEndpoint;
    private final Path rie;
    private final String runtimeClasspath;
    private final Path workDir;
    private final DynamoDbClient dynamo;
    private final DynamoDbStreamsClient streams;
    private final HttpServer gateway;
    private final Map<String, String> routes;
    private final Map<String, EmulatedFunction> running = new ConcurrentHashMap<>();
    private final Map<String, String> localNames = new LinkedHashMap<>();
    private final List<Mapping> mappings = new ArrayList<>();
    private final List<Thread> pollers = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger streamInvocations = new AtomicInteger();
    private final List<String> streamErrors = java.util.Collections.synchronizedList(new ArrayList<>());

    @SuppressWarnings("unchecked")
    EmulatedCluster(String datacenter, Path cdkOut, String stackName, EmulatedAwsServices aws, String dynamoEndpoint,
                    Path rie, String runtimeClasspath, Path workDir) throws IOException {
        this.datacenter = datacenter;
        this.cdkOut = cdkOut.toAbsolutePath();
        this.aws = aws;
        this.dynamoEndpoint = dynamoEndpoint;
        this.rie = rie;
        this.runtimeClasspath = runtimeClasspath;
        this.workDir = Files.createDirectories(workDir.toAbsolutePath().resolve(datacenter));
        // The route families' functions are in nested stacks: read the stack as one template.
        Map<String, Object> template = StackTemplates.flattened(cdkOut, stackName);
        this.resources = (Map<String, Map<String, Object>>) template.get("Resources");
        this.rest = resources.values().stream().anyMatch(r -> "AWS::ApiGateway::RestApi".equals(r.get("Type")));
        this.routes = rest ? ApiTemplate.restRouteFunctions(resources) : ApiTemplate.httpRouteFunctions(resources);
        if (routes.isEmpty()) {
            throw new IllegalStateException(stackName + ": the template routes nothing");
        }
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
        dynamo = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).endpointOverride(URI.create(dynamoEndpoint)).region(Region.of(REGION))
                .credentialsProvider(credentials).build();
        streams = DynamoDbStreamsClient.builder().httpClient(UrlConnectionHttpClient.create()).endpointOverride(URI.create(dynamoEndpoint)).region(Region.of(REGION))
                .credentialsProvider(credentials).build();
        gateway = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        gateway.setExecutor(Executors.newCachedThreadPool());
        gateway.createContext("/", this::serve);
        createResources();
        gateway.start();
        startPollers();
    }

    /** The cluster's base URL (its API's URL in the template, here the local gateway). */
    String url() {
        return "http://127.0.0.1:" + gateway.getAddress().getPort();
    }

    /** Whether the template's API is the REST API (payload 1.0). */
    boolean isRest() {
        return rest;
    }

    /** The template's route map: route key ({@code GET /v1/peering/{name}}) to function logical ID. */
    Map<String, String> routes() {
        return routes;
    }

    /** The local table's name. */
    String tableName() {
        return localNames.get(only("AWS::DynamoDB::Table"));
    }

    /** The DynamoDB client of the table, for assertions on what the functions wrote. */
    DynamoDbClient dynamo() {
        return dynamo;
    }

    /** The functions started so far. */
    List<EmulatedFunction> functions() {
        return List.copyOf(running.values());
    }

    /** Stream batches delivered so far, and the errors the pollers met. */
    int streamInvocations() {
        return streamInvocations.get();
    }

    List<String> streamErrors() {
        return List.copyOf(streamErrors);
    }

    // ---- the template -----------------------------------------------------------------------------------------

    private String only(String type) {
        List<String> ids = resources.entrySet().stream().filter(e -> type.equals(e.getValue().get("Type")))
                .map(Map.Entry::getKey).toList();
        if (ids.size() != 1) {
            throw new IllegalStateException("one " + type + " expected in the template: " + ids);
        }
        return ids.get(0);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> properties(Map<String, Object> resource) {
        return (Map<String, Object>) resource.getOrDefault("Properties", Map.of());
    }

    /** The Java function with a logical ID, as the template gives it. */
    @SuppressWarnings("unchecked")
    FunctionSpec spec(String logicalId) {
        Map<String, Object> resource = resources.get(logicalId);
        if (resource == null || !"AWS::Lambda::Function".equals(resource.get("Type"))) {
            throw new IllegalStateException(logicalId + " is not a function of the template");
        }
        Map<String, Object> p = properties(resource);
        Map<String, Object> code = (Map<String, Object>) p.get("Code");
        Map<String, Object> env = (Map<String, Object>) ((Map<String, Object>) p.getOrDefault("Environment", Map.of()))
                .getOrDefault("Variables", Map.of());
        return new FunctionSpec(logicalId, String.valueOf(p.get("Handler")), ((Number) p.getOrDefault("MemorySize", 128)).intValue(),
                ((Number) p.getOrDefault("Timeout", 3)).intValue(), "asset." + code.get("S3Key"), env);
    }

    /** The logical ID of the function whose handler is the given class (exactly one). */
    String functionWithHandler(String handler) {
        List<String> ids = resources.entrySet().stream()
                .filter(e -> "AWS::Lambda::Function".equals(e.getValue().get("Type"))
                        && handler.equals(properties(e.getValue()).get("Handler")))
                .map(Map.Entry::getKey).toList();
        if (ids.size() != 1) {
            throw new IllegalStateException("one function with handler " + handler + " expected: " + ids);
        }
        return ids.get(0);
    }

    /**
     * The Java function a custom resource's provider calls ({@code ServiceToken} to the provider framework's
     * function, whose {@code USER_ON_EVENT_FUNCTION_ARN} names ours).
     */
    @SuppressWarnings("unchecked")
    private String onEventFunctionOf(String customResource) {
        Object token = properties(resources.get(customResource)).get("ServiceToken");
        String framework = ApiTemplate.refs(token).get(0);
        Map<String, Object> env = (Map<String, Object>) ((Map<String, Object>) properties(resources.get(framework))
                .get("Environment")).get("Variables");
        String target = ApiTemplate.refs(env.get("USER_ON_EVENT_FUNCTION_ARN")).get(0);
        Map<String, Object> resource = resources.get(target);
        if ("AWS::Lambda::Alias".equals(resource.get("Type"))) {
            return ApiTemplate.refs(properties(resource).get("FunctionName")).get(0);
        }
        return target;
    }

    @SuppressWarnings("unchecked")
    private void createResources() {
        resources.forEach((id, resource) -> {
            Map<String, Object> p = properties(resource);
            switch (String.valueOf(resource.get("Type"))) {
                case "AWS::DynamoDB::Table" -> {
                    String name = datacenter + "-" + id;
                    localNames.put(id, name);
                    List<Map<String, String>> keys = (List<Map<String, String>>) p.get("KeySchema");
                    List<Map<String, String>> attributes = (List<Map<String, String>>) p.get("AttributeDefinitions");
                    Map<String, Object> stream = (Map<String, Object>) p.get("StreamSpecification");
                    if (p.containsKey("GlobalSecondaryIndexes") || p.containsKey("LocalSecondaryIndexes")) {
                        throw new IllegalStateException("the emulation creates no secondary indexes; the template has some");
                    }
                    dynamo.createTable(b -> b.tableName(name).billingMode(BillingMode.PAY_PER_REQUEST)
                            .keySchema(keys.stream().map(k -> KeySchemaElement.builder().attributeName(k.get("AttributeName"))
                                    .keyType(k.get("KeyType")).build()).toList())
                            .attributeDefinitions(attributes.stream().map(a -> AttributeDefinition.builder()
                                    .attributeName(a.get("AttributeName")).attributeType(a.get("AttributeType")).build()).toList())
                            .streamSpecification(StreamSpecification.builder().streamEnabled(stream != null)
                                    .streamViewType(stream == null ? null : String.valueOf(stream.get("StreamViewType"))).build()));
                }
                case "AWS::SQS::Queue" -> localNames.put(id, aws.endpoint() + "/" + ACCOUNT + "/" + datacenter + "-" + id);
                case "AWS::SecretsManager::Secret" -> {
                    String arn = "arn:aws:secretsmanager:" + REGION + ":" + ACCOUNT + ":secret:" + datacenter + "-" + id + "-AbCdEf";
                    localNames.put(id, arn);
                    aws.createSecret(arn);
                }
                case "AWS::KMS::Key" -> localNames.put(id, "arn:aws:kms:" + REGION + ":" + ACCOUNT + ":key/"
                        + UUID.nameUUIDFromBytes((datacenter + id).getBytes(StandardCharsets.UTF_8)));
                case "AWS::Lambda::EventSourceMapping" -> {
                    String function = ApiTemplate.functionOf(p.get("FunctionName"), resources).orElseThrow();
                    String source = ApiTemplate.refs(p.get("EventSourceArn")).get(0);
                    List<JsonNode> filters = new ArrayList<>();
                    Map<String, Object> criteria = (Map<String, Object>) p.get("FilterCriteria");
                    if (criteria != null) {
                        for (Map<String, Object> filter : (List<Map<String, Object>>) criteria.get("Filters")) {
                            try {
                                JsonNode pattern = JSON.readTree(String.valueOf(filter.get("Pattern")));
                                EventPatterns.validate(pattern);
                                filters.add(pattern);
                            } catch (IOException e) {
                                throw new IllegalStateException("a filter pattern that is not JSON: " + filter, e);
                            }
                        }
                    }
                    mappings.add(new Mapping(function, source, ((Number) p.getOrDefault("BatchSize", 100)).intValue(), filters));
                }
                default -> { }
            }
        });
    }

    /**
     * A template value (a literal or an intrinsic function) as the function sees it here: the table, queue, secret and
     * key by their local names, the API's URL as the local gateway, the region and account as emulated.
     *
     * @throws IllegalStateException on a reference the emulation does not know, so nothing passes unresolved
     */
    private String resolve(Object value) {
        if (value instanceof String || value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        List<String> refs = ApiTemplate.refs(value);
        for (String ref : refs) {
            Map<String, Object> resource = resources.get(ref);
            if (resource != null && List.of("AWS::ApiGatewayV2::Api", "AWS::ApiGateway::RestApi").contains(resource.get("Type"))) {
                return url();
            }
        }
        if (value instanceof Map<?, ?> map && map.size() == 1) {
            Map.Entry<?, ?> entry = map.entrySet().iterator().next();
            String fn = entry.getKey().toString();
            Object arg = entry.getValue();
            switch (fn) {
                case "Ref" -> {
                    String ref = arg.toString();
                    switch (ref) {
                        case "AWS::Region": return REGION;
                        case "AWS::AccountId": return ACCOUNT;
                        case "AWS::Partition": return "aws";
                        case "AWS::URLSuffix": return "amazonaws.com";
                        default: {
                            String local = localNames.get(ref);
                            if (local != null) {
                                return local;
                            }
                        }
                    }
                }
                case "Fn::GetAtt" -> {
                    List<?> parts = (List<?>) arg;
                    String ref = parts.get(0).toString();
                    Map<String, Object> resource = resources.get(ref);
                    if (resource != null && "AWS::KMS::Key".equals(resource.get("Type")) && "Arn".equals(parts.get(1))) {
                        return localNames.get(ref);
                    }
                }
                case "Fn::Join" -> {
                    List<?> parts = (List<?>) arg;
                    StringBuilder joined = new StringBuilder();
                    List<?> items = (List<?>) parts.get(1);
                    for (int i = 0; i < items.size(); i++) {
                        joined.append(i == 0 ? "" : parts.get(0)).append(resolve(items.get(i)));
                    }
                    return joined.toString();
                }
                default -> { }
            }
        }
        throw new IllegalStateException("the emulation cannot resolve " + value);
    }

    // ---- functions --------------------------------------------------------------------------------------------

    /** The running function with a logical ID, started on first use. */
    EmulatedFunction function(String logicalId) {
        return running.computeIfAbsent(logicalId, this::startFunction);
    }

    private EmulatedFunction startFunction(String logicalId) {
        FunctionSpec spec = spec(logicalId);
        Map<String, String> env = new TreeMap<>();
        // What Lambda's managed runtime puts in every function's environment.
        env.put("PATH", System.getenv("PATH"));
        env.put("LANG", "en_US.UTF-8");
        env.put("TZ", ":UTC");
        env.put("AWS_REGION", REGION);
        env.put("AWS_DEFAULT_REGION", REGION);
        env.put("AWS_EXECUTION_ENV", "AWS_Lambda_java25");
        env.put("AWS_LAMBDA_FUNCTION_NAME", datacenter + "-" + logicalId);
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(spec.memoryMb()));
        env.put("AWS_LAMBDA_FUNCTION_TIMEOUT", Integer.toString(spec.timeoutSeconds()));
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "1");
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + datacenter + "-" + logicalId);
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", "emulated");
        env.put("_HANDLER", spec.handler());
        env.put("LAMBDA_TASK_ROOT", taskRoot(spec.asset()).toString());
        env.put("LAMBDA_RUNTIME_DIR", taskRoot(spec.asset()).toString());
        // Credentials and endpoints: DynamoDB Local and the local stand-ins for Secrets Manager, KMS and SQS.
        env.put("AWS_ACCESS_KEY_ID", "local");
        env.put("AWS_SECRET_ACCESS_KEY", "local");
        env.put("AWS_SESSION_TOKEN", "local");
        env.put("PEERING_DYNAMODB_ENDPOINT", dynamoEndpoint);
        env.put("AWS_ENDPOINT_URL_DYNAMODB", dynamoEndpoint);
        env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", aws.endpoint());
        env.put("AWS_ENDPOINT_URL_KMS", aws.endpoint());
        env.put("AWS_ENDPOINT_URL_SQS", aws.endpoint());
        // The template's own variables, last, as they are (references resolved to the local resources).
        spec.environment().forEach((key, value) -> env.put(key, resolve(value)));
        return new EmulatedFunction(datacenter + "/" + logicalId, rie, runtimeClasspath, spec.handler(), env,
                spec.timeoutSeconds(), workDir);
    }

    /** The code asset unpacked, as Lambda unpacks a deployment package into {@code /var/task}. */
    private Path taskRoot(String asset) {
        Path jar = cdkOut.resolve(asset);
        Path root = workDir.getParent().resolve("task").resolve(asset);
        synchronized (EmulatedCluster.class) {
            if (Files.isDirectory(root)) {
                return root;
            }
            Path partial = root.resolveSibling(asset + ".partial");
            try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(jar))) {
                ZipEntry entry;
                while ((entry = zip.getNextEntry()) != null) {
                    Path target = partial.resolve(entry.getName()).normalize();
                    if (!target.startsWith(partial)) {
                        throw new IOException("entry outside the package: " + entry.getName());
                    }
                    if (entry.isDirectory()) {
                        Files.createDirectories(target);
                    } else {
                        Files.createDirectories(target.getParent());
                        Files.copy(zip, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                Files.move(partial, root);
            } catch (IOException e) {
                throw new IllegalStateException("cannot unpack " + jar + ": " + e.getMessage(), e);
            }
        }
        return root;
    }

    /**
     * Runs a custom resource's Create as CloudFormation and the provider framework do: the framework hands our
     * {@code onEvent} function the request with the resource's properties.
     *
     * @return the function's answer
     */
    JsonNode createCustomResource(String type) {
        String id = only(type);
        ObjectNode properties = JSON.createObjectNode();
        properties(resources.get(id)).forEach((key, value) -> properties.put(key, "ServiceToken".equals(key)
                ? "arn:aws:lambda:" + REGION + ":" + ACCOUNT + ":function:provider-framework-onEvent" : resolve(value)));
        ObjectNode event = JSON.createObjectNode()
                .put("RequestType", "Create")
                .put("ServiceToken", properties.path("ServiceToken").asText())
                .put("ResponseURL", "https://cloudformation-custom-resource-response.s3.amazonaws.com/emulated")
                .put("StackId", "arn:aws:cloudformation:" + REGION + ":" + ACCOUNT + ":stack/cluster-peering-" + datacenter + "/emulated")
                .put("RequestId", UUID.randomUUID().toString())
                .put("LogicalResourceId", id)
                .put("ResourceType", type);
        event.set("ResourceProperties", properties);
        return read(function(onEventFunctionOf(id)).invoke(event.toString()));
    }

    /** The local ARN of the template's secret whose description starts with the given text. */
    String secretArn(String logicalIdPrefix) {
        return localNames.entrySet().stream().filter(e -> e.getKey().startsWith(logicalIdPrefix))
                .map(Map.Entry::getValue).findFirst().orElseThrow();
    }

    /** Invokes the scheduled function of an EventBridge rule with the scheduled event EventBridge sends. */
    JsonNode tick(String ruleLogicalIdPrefix) {
        String rule = resources.keySet().stream().filter(id -> id.startsWith(ruleLogicalIdPrefix)
                && "AWS::Events::Rule".equals(resources.get(id).get("Type"))).findFirst().orElseThrow();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> targets = (List<Map<String, Object>>) properties(resources.get(rule)).get("Targets");
        String function = ApiTemplate.functionOf(targets.get(0).get("Arn"), resources).orElseThrow();
        ObjectNode event = JSON.createObjectNode().put("version", "0").put("id", UUID.randomUUID().toString())
                .put("detail-type", "Scheduled Event").put("source", "aws.events").put("account", ACCOUNT)
                .put("time", Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString()).put("region", REGION);
        event.putArray("resources").add("arn:aws:events:" + REGION + ":" + ACCOUNT + ":rule/" + datacenter + "-" + rule);
        event.putObject("detail");
        return read(function(function).invoke(event.toString()));
    }

    /**
     * Delivers a sent message to the function the queue's event source mapping names, as Lambda's SQS poller does.
     *
     * @return the function's answer ({@code batchItemFailures})
     */
    JsonNode deliverQueued(EmulatedAwsServices.SentMessage message) {
        String queue = localNames.entrySet().stream().filter(e -> e.getValue().equals(message.queueUrl()))
                .map(Map.Entry::getKey).findFirst().orElseThrow(() -> new IllegalStateException("no queue " + message.queueUrl()));
        Mapping mapping = mappings.stream().filter(m -> m.source().equals(queue)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no event source mapping reads " + queue));
        ObjectNode record = JSON.createObjectNode()
                .put("messageId", message.messageId())
                .put("receiptHandle", Base64.getEncoder().encodeToString(UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8)))
                .put("body", message.body());
        long now = System.currentTimeMillis();
        record.putObject("attributes").put("ApproximateReceiveCount", "1").put("SentTimestamp", Long.toString(now))
                .put("SenderId", "AROAEMULATED:" + datacenter).put("ApproximateFirstReceiveTimestamp", Long.toString(now));
        record.putObject("messageAttributes");
        record.put("md5OfBody", EmulatedAwsServices.md5(message.body()))
                .put("eventSource", "aws:sqs")
                .put("eventSourceARN", "arn:aws:sqs:" + REGION + ":" + ACCOUNT + ":" + datacenter + "-" + queue)
                .put("awsRegion", REGION);
        ObjectNode event = JSON.createObjectNode();
        event.putArray("Records").add(record);
        return read(function(mapping.function()).invoke(event.toString()));
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + json, e);
        }
    }

    // ---- the gateway ------------------------------------------------------------------------------------------

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            URI uri = exchange.getRequestURI();
            String method = exchange.getRequestMethod();
            String path = uri.getRawPath();
            String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
            byte[] body = exchange.getRequestBody().readAllBytes();
            Optional<Match> match = match(method, path);
            if (match.isEmpty()) {
                // What API Gateway answers itself when no route or resource takes the request.
                byte[] answer = (rest ? "{\"message\":\"Missing Authentication Token\"}" : "{\"message\":\"Not Found\"}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(rest ? 403 : 404, answer.length);
                exchange.getResponseBody().write(answer);
                return;
            }
            String event = rest ? restEvent(exchange, match.get(), method, path, query, body)
                    : httpEvent(exchange, match.get(), method, path, query, body);
            JsonNode response;
            try {
                response = read(function(match.get().function()).invoke(event));
            } catch (RuntimeException e) {
                byte[] answer = "{\"message\":\"Internal Server Error\"}".getBytes(StandardCharsets.UTF_8);
                System.err.println("gateway " + datacenter + ": " + method + " " + path + ": " + e.getMessage());
                exchange.sendResponseHeaders(502, answer.length);
                exchange.getResponseBody().write(answer);
                return;
            }
            response.path("headers").fields().forEachRemaining(h -> exchange.getResponseHeaders().add(h.getKey(), h.getValue().asText()));
            response.path("multiValueHeaders").fields().forEachRemaining(h -> h.getValue()
                    .forEach(v -> exchange.getResponseHeaders().add(h.getKey(), v.asText())));
            String text = response.path("body").isNull() ? "" : response.path("body").asText("");
            byte[] answer = response.path("isBase64Encoded").asBoolean(false) ? Base64.getDecoder().decode(text)
                    : text.getBytes(StandardCharsets.UTF_8);
            int status = response.path("statusCode").asInt(200);
            exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                exchange.getResponseBody().write(answer);
            }
        }
    }

    /** A matched route: its key, the function, the path parameters. */
    record Match(String routeKey, String function, Map<String, String> pathParameters) {
    }

    /**
     * The route API Gateway picks: the method's own routes before {@code ANY}, then more literal segments, then
     * fewer greedy ones. REST API paths carry the stage first, as clients call them.
     */
    private Optional<Match> match(String method, String path) {
        List<String> segments = segments(path);
        Match best = null;
        int bestScore = Integer.MIN_VALUE;
        for (Map.Entry<String, String> route : routes.entrySet()) {
            String[] key = route.getKey().split(" ", 2);
            if (!key[0].equals(method) && !key[0].equals("ANY")) {
                continue;
            }
            List<String> template = segments(key[1]);
            Map<String, String> params = new LinkedHashMap<>();
            int literals = 0;
            boolean greedy = false;
            boolean ok = true;
            for (int i = 0; i < template.size() && ok; i++) {
                String t = template.get(i);
                if (t.startsWith("{") && t.endsWith("+}")) {
                    if (i != template.size() - 1 || segments.size() <= i) {
                        ok = false;
                    } else {
                        params.put(t.substring(1, t.length() - 2), String.join("/", segments.subList(i, segments.size())));
                        greedy = true;
                    }
                } else if (i >= segments.size()) {
                    ok = false;
                } else if (t.startsWith("{") && t.endsWith("}")) {
                    params.put(t.substring(1, t.length() - 1), decode(segments.get(i)));
                } else if (t.equals(segments.get(i))) {
                    literals++;
                } else {
                    ok = false;
                }
            }
            if (!ok || !greedy && template.size() != segments.size()) {
                continue;
            }
            int score = (key[0].equals(method) ? 10_000 : 0) + literals * 10 + (greedy ? 0 : 5) + template.size();
            if (score > bestScore) {
                bestScore = score;
                best = new Match(route.getKey(), route.getValue(), params);
            }
        }
        return Optional.ofNullable(best);
    }

    private static List<String> segments(String path) {
        List<String> segments = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                segments.add(s);
            }
        }
        return segments;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static Map<String, List<String>> queryParameters(String query) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        if (!query.isEmpty()) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                params.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            }
        }
        return params;
    }

    private String requestId() {
        return UUID.randomUUID().toString();
    }

    /** API Gateway's HTTP API event, payload format 2.0. */
    private String httpEvent(HttpExchange exchange, Match match, String method, String path, String query, byte[] body) {
        ObjectNode event = JSON.createObjectNode().put("version", "2.0").put("routeKey", match.routeKey())
                .put("rawPath", path).put("rawQueryString", query);
        ObjectNode headers = event.putObject("headers");
        ArrayNode cookies = JSON.createArrayNode();
        exchange.getRequestHeaders().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("cookie")) {
                values.forEach(v -> List.of(v.split(";\\s*")).forEach(cookies::add));
            } else {
                headers.put(lower, String.join(",", values));
            }
        });
        headers.put("x-forwarded-proto", "https").put("x-forwarded-port", "443").put("x-forwarded-for", "127.0.0.1");
        if (!cookies.isEmpty()) {
            event.set("cookies", cookies);
        }
        Map<String, List<String>> params = queryParameters(query);
        if (!params.isEmpty()) {
            ObjectNode q = event.putObject("queryStringParameters");
            params.forEach((k, v) -> q.put(k, String.join(",", v)));
        }
        long now = System.currentTimeMillis();
        ObjectNode context = event.putObject("requestContext").put("accountId", ACCOUNT).put("apiId", "emulated" + datacenter)
                .put("domainName", "127.0.0.1").put("domainPrefix", "127");
        context.putObject("http").put("method", method).put("path", path).put("protocol", "HTTP/1.1")
                .put("sourceIp", "127.0.0.1").put("userAgent", String.valueOf(exchange.getRequestHeaders().getFirst("User-Agent")));
        context.put("requestId", requestId()).put("routeKey", match.routeKey()).put("stage", "$default")
                .put("time", DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).format(Instant.ofEpochMilli(now).atOffset(ZoneOffset.UTC)))
                .put("timeEpoch", now);
        if (!match.pathParameters().isEmpty()) {
            ObjectNode p = event.putObject("pathParameters");
            match.pathParameters().forEach(p::put);
        }
        putBody(event, exchange, body);
        return event.toString();
    }

    /** API Gateway's REST API Lambda proxy event, payload format 1.0. */
    private String restEvent(HttpExchange exchange, Match match, String method, String path, String query, byte[] body) {
        String stage = segments(path).get(0);
        String resource = match.routeKey().split(" ", 2)[1].substring(stage.length() + 1);
        String inStage = path.substring(stage.length() + 1);
        ObjectNode event = JSON.createObjectNode().put("resource", resource.isEmpty() ? "/" : resource)
                .put("path", inStage.isEmpty() ? "/" : inStage).put("httpMethod", method);
        ObjectNode headers = event.putObject("headers");
        ObjectNode multi = event.putObject("multiValueHeaders");
        exchange.getRequestHeaders().forEach((name, values) -> {
            headers.put(name, values.get(values.size() - 1));
            ArrayNode all = multi.putArray(name);
            values.forEach(all::add);
        });
        Map<String, List<String>> params = queryParameters(query);
        if (params.isEmpty()) {
            event.putNull("queryStringParameters");
            event.putNull("multiValueQueryStringParameters");
        } else {
            ObjectNode q = event.putObject("queryStringParameters");
            ObjectNode mq = event.putObject("multiValueQueryStringParameters");
            params.forEach((k, v) -> {
                q.put(k, v.get(v.size() - 1));
                ArrayNode all = mq.putArray(k);
                v.forEach(all::add);
            });
        }
        if (match.pathParameters().isEmpty()) {
            event.putNull("pathParameters");
        } else {
            ObjectNode p = event.putObject("pathParameters");
            match.pathParameters().forEach(p::put);
        }
        event.putNull("stageVariables");
        long now = System.currentTimeMillis();
        ObjectNode context = event.putObject("requestContext").put("resourceId", "emulated")
                .put("resourcePath", resource.isEmpty() ? "/" : resource).put("httpMethod", method)
                .put("extendedRequestId", requestId())
                .put("requestTime", DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).format(Instant.ofEpochMilli(now).atOffset(ZoneOffset.UTC)))
                .put("path", path).put("accountId", ACCOUNT).put("protocol", "HTTP/1.1").put("stage", stage)
                .put("domainPrefix", "127").put("requestTimeEpoch", now).put("requestId", requestId());
        context.putObject("identity").put("sourceIp", "127.0.0.1")
                .put("userAgent", String.valueOf(exchange.getRequestHeaders().getFirst("User-Agent")));
        context.put("domainName", "127.0.0.1").put("deploymentId", "emulated").put("apiId", "emulated" + datacenter);
        if (body.length == 0) {
            event.putNull("body");
            event.put("isBase64Encoded", false);
        } else {
            putBody(event, exchange, body);
        }
        return event.toString();
    }

    private static void putBody(ObjectNode event, HttpExchange exchange, byte[] body) {
        if (body.length == 0) {
            event.put("isBase64Encoded", false);
            return;
        }
        String type = String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")).toLowerCase(Locale.ROOT);
        boolean text = type.equals("null") || type.startsWith("text/") || type.contains("json") || type.contains("xml")
                || type.contains("x-www-form-urlencoded");
        // API Gateway passes text bodies as they are and base64-encodes binary ones.
        event.put("body", text ? new String(body, StandardCharsets.UTF_8) : Base64.getEncoder().encodeToString(body));
        event.put("isBase64Encoded", !text);
    }

    // ---- streams ----------------------------------------------------------------------------------------------

    private void startPollers() {
        String table = only("AWS::DynamoDB::Table");
        String streamArn = dynamo.describeTable(b -> b.tableName(tableName())).table().latestStreamArn();
        for (Mapping mapping : mappings) {
            if (!mapping.source().equals(table)) {
                continue;
            }
            // Each shard's first iterator is taken (and tried) now, before any function writes to the table.
            Map<String, String> iterators = new LinkedHashMap<>();
            for (Shard shard : streams.describeStream(b -> b.streamArn(streamArn)).streamDescription().shards()) {
                iterators.put(shard.shardId(), firstIterator(streamArn, shard.shardId()));
            }
            Thread poller = new Thread(() -> poll(mapping, streamArn, iterators), datacenter + "-stream-" + mapping.function());
            poller.setDaemon(true);
            pollers.add(poller);
            poller.start();
        }
    }

    /**
     * A shard's first iterator: LATEST, taken before any function has written to the fresh table, so it reads every
     * record (as TRIM_HORIZON would; DynamoDB Local refuses TRIM_HORIZON reads once a table shares its database with
     * another table's stream).
     */
    private String firstIterator(String streamArn, String shardId) {
        return streams.getShardIterator(b -> b.streamArn(streamArn).shardId(shardId)
                .shardIteratorType(ShardIteratorType.LATEST)).shardIterator();
    }

    /** One event source mapping's poller: every shard in order, records filtered, batches invoked until they succeed. */
    private void poll(Mapping mapping, String streamArn, Map<String, String> iterators) {
        java.util.Set<String> done = new java.util.HashSet<>();
        Map<String, String> lastSequence = new LinkedHashMap<>();
        List<Record> pending = new ArrayList<>();
        while (!closed.get()) {
            try {
                List<Shard> shards = streams.describeStream(b -> b.streamArn(streamArn)).streamDescription().shards();
                for (Shard shard : shards) {
                    if (!done.contains(shard.shardId()) && !iterators.containsKey(shard.shardId())) {
                        iterators.put(shard.shardId(), streams.getShardIterator(b -> b.streamArn(streamArn)
                                .shardId(shard.shardId()).shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator());
                    }
                }
                boolean any = false;
                for (Map.Entry<String, String> entry : new ArrayList<>(iterators.entrySet())) {
                    software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse response;
                    try {
                        response = streams.getRecords(b -> b.shardIterator(entry.getValue()));
                    } catch (TrimmedDataAccessException | ExpiredIteratorException e) {
                        String after = lastSequence.get(entry.getKey());
                        streamErrors.add(mapping.function() + ": " + e.getClass().getSimpleName() + " on " + entry.getKey());
                        iterators.put(entry.getKey(), streams.getShardIterator(b -> b.streamArn(streamArn).shardId(entry.getKey())
                                .shardIteratorType(after == null ? ShardIteratorType.LATEST : ShardIteratorType.AFTER_SEQUENCE_NUMBER)
                                .sequenceNumber(after)).shardIterator());
                        continue;
                    }
                    for (Record record : response.records()) {
                        lastSequence.put(entry.getKey(), record.dynamodb().sequenceNumber());
                        if (EventPatterns.matchesAny(mapping.filters(), lambdaRecord(record, streamArn))) {
                            pending.add(record);
                        }
                    }
                    any |= !response.records().isEmpty();
                    if (response.nextShardIterator() == null) {
                        iterators.remove(entry.getKey());
                        done.add(entry.getKey());
                    } else {
                        iterators.put(entry.getKey(), response.nextShardIterator());
                    }
                }
                while (!pending.isEmpty() && !closed.get()) {
                    List<Record> batch = new ArrayList<>(pending.subList(0, Math.min(mapping.batchSize(), pending.size())));
                    ObjectNode event = JSON.createObjectNode();
                    ArrayNode records = event.putArray("Records");
                    batch.forEach(r -> records.add(lambdaRecord(r, streamArn)));
                    JsonNode answer = read(function(mapping.function()).invoke(event.toString()));
                    streamInvocations.incrementAndGet();
                    JsonNode failures = answer.path("batchItemFailures");
                    if (failures.isEmpty()) {
                        pending.subList(0, batch.size()).clear();
                    } else {
                        // ReportBatchItemFailures: everything from the first failed record on is delivered again.
                        String first = failures.get(0).path("itemIdentifier").asText();
                        int at = 0;
                        while (at < batch.size() && !batch.get(at).dynamodb().sequenceNumber().equals(first)) {
                            at++;
                        }
                        pending.subList(0, at).clear();
                        streamErrors.add(mapping.function() + ": item " + first + " failed; retrying");
                        Thread.sleep(200);
                    }
                }
                if (!any) {
                    Thread.sleep(100);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (closed.get()) {
                    return;
                }
                streamErrors.add(mapping.function() + ": " + e.getMessage());
                try {
                    Thread.sleep(500);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    /** A stream record as Lambda puts it in a DynamoDB Streams event. */
    static ObjectNode lambdaRecord(Record record, String streamArn) {
        ObjectNode node = JSON.createObjectNode().put("eventID", record.eventID()).put("eventName", record.eventNameAsString())
                .put("eventVersion", record.eventVersion() == null ? "1.1" : record.eventVersion())
                .put("eventSource", "aws:dynamodb").put("awsRegion", REGION);
        var sdk = record.dynamodb();
        ObjectNode dynamodb = node.putObject("dynamodb");
        if (sdk.approximateCreationDateTime() != null) {
            dynamodb.put("ApproximateCreationDateTime", sdk.approximateCreationDateTime().getEpochSecond());
        }
        dynamodb.set("Keys", item(sdk.keys()));
        if (sdk.hasNewImage()) {
            dynamodb.set("NewImage", item(sdk.newImage()));
        }
        if (sdk.hasOldImage()) {
            dynamodb.set("OldImage", item(sdk.oldImage()));
        }
        dynamodb.put("SequenceNumber", sdk.sequenceNumber()).put("SizeBytes", sdk.sizeBytes())
                .put("StreamViewType", sdk.streamViewTypeAsString());
        node.put("eventSourceARN", streamArn);
        return node;
    }

    private static ObjectNode item(Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> item) {
        ObjectNode node = JSON.createObjectNode();
        item.forEach((name, value) -> node.set(name, attribute(value)));
        return node;
    }

    private static ObjectNode attribute(software.amazon.awssdk.services.dynamodb.model.AttributeValue value) {
        ObjectNode node = JSON.createObjectNode();
        switch (value.type()) {
            case S -> node.put("S", value.s());
            case N -> node.put("N", value.n());
            case B -> node.put("B", Base64.getEncoder().encodeToString(value.b().asByteArray()));
            case BOOL -> node.put("BOOL", value.bool());
            case NUL -> node.put("NULL", true);
            case SS -> value.ss().forEach(node.putArray("SS")::add);
            case NS -> value.ns().forEach(node.putArray("NS")::add);
            case BS -> {
                ArrayNode bs = node.putArray("BS");
                value.bs().forEach(b -> bs.add(Base64.getEncoder().encodeToString(b.asByteArray())));
            }
            case L -> {
                ArrayNode l = node.putArray("L");
                value.l().forEach(v -> l.add(attribute(v)));
            }
            case M -> node.set("M", item(value.m()));
            default -> throw new IllegalArgumentException("unsupported attribute type " + value.type());
        }
        return node;
    }

    @Override
    public void close() {
        closed.set(true);
        pollers.forEach(Thread::interrupt);
        gateway.stop(0);
        running.values().forEach(EmulatedFunction::close);
        ((java.util.concurrent.ExecutorService) gateway.getExecutor()).shutdownNow();
        dynamo.close();
        streams.close();
    }
}
